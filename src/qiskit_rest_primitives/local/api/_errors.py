"""Runtime API error bodies (``{"errors":[...],"trace"}``) and the exception carrying them."""

from __future__ import annotations

import uuid
from typing import Any

MORE_INFO = "https://quantum.cloud.ibm.com/docs/errors"

# wire-format §4.1: documented error codes (strings in ErrorContainer bodies).
CODE_VALIDATION = "1002"
CODE_BACKEND_NOT_FOUND = "1007"
CODE_BACKEND_INFO_NOT_FOUND = "1009"  # "Required backend information not found"
CODE_NOT_AUTHORIZED = "1200"
CODE_INVALID_CREDENTIALS = "1201"
CODE_NOT_FOUND = "1291"
CODE_CONFLICT = "1300"
CODE_INTERNAL = "9999"


class ApiError(Exception):
    """An HTTP error answer: status, service error code and a message naming the problem."""

    def __init__(
        self, status: int, message: str, code: str = CODE_VALIDATION, *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def shown(value: Any, limit: int = 60) -> str:
    """``repr`` of a refused value for an error message, cut to ``limit`` characters (a
    refusal should not echo a megabyte; a long string is cut before it is copied)."""
    text = repr(value[:limit] if isinstance(value, str) else value)
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def bad_request(message: str) -> ApiError:
    """400 validation error (code 1002)."""
    return ApiError(400, message, CODE_VALIDATION)


def not_found(message: str, code: str = CODE_NOT_FOUND) -> ApiError:
    """404 error."""
    return ApiError(404, message, code)


def error_body(message: str, code: str = CODE_VALIDATION) -> dict[str, Any]:
    """The documented ``ErrorContainer`` body with a fresh trace id."""
    return {
        "errors": [{"code": code, "message": message, "more_info": MORE_INFO}],
        "trace": str(uuid.uuid4()),
    }


def iam_error_body(message: str, code: str = "BXNIM0415E") -> dict[str, Any]:
    """IBM Cloud IAM error body (what ``/identity/token`` answers on a bad key)."""
    return {
        "context": {"requestId": uuid.uuid4().hex},
        "errorCode": code,
        "errorMessage": message,
        "errorDetails": message,
    }
