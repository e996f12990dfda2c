"""The one error type routes raise; it becomes a JSON answer `{"description": ...}`."""

from __future__ import annotations

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description

    def response(self) -> JSONResponse:
        return JSONResponse({"description": self.description}, self.status)
