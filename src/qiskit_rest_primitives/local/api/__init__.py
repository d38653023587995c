"""HTTP routes, middleware, authentication (IAM) and error bodies of the local server."""
