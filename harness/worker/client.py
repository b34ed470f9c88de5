"""The worker's side of the API conversation (see :mod:`harness.jobs.remote` for the other side).

Transport failures and 5xx answers are retried a few times with a back-off; a 409 means the
claim ended (the job finished or went to another worker) and is reported as such, never retried.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from harness.errors import InfrastructureError
from harness.jobs.schemas import FailIn, FileLink, Heartbeat, Hello, JobTicket, ResultIn

__all__ = ["ApiClient", "ApiRejected", "ApiUnavailable", "ClaimEnded"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_STATUS = {502, 503, 504}


class ApiUnavailable(InfrastructureError):
    """The API did not answer usefully after retries (network, restart, overload)."""


class ApiRejected(Exception):
    """The API refused a request as malformed (a bug or a version mismatch, not bad luck)."""


class ClaimEnded(Exception):
    """The API says this claim is over: stop working on the job, store nothing."""


class ApiClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        timeout_s: float = 30.0,
        result_timeout_s: float = 900.0,
        retries: int = 4,
    ) -> None:
        self.http = httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "harness-worker"},
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
        )
        self.result_timeout_s = result_timeout_s
        self.retries = retries

    def close(self) -> None:
        self.http.close()

    # --- calls --------------------------------------------------------------------------------
    def hello(self) -> Hello:
        response = self._call(lambda: self.http.get("/api/worker/hello"))
        _raise_for(response, "the API refused the worker")
        return Hello.model_validate(response.json())

    def claim(self, submission_id: int, slot: str) -> JobTicket | None:
        """The job's ticket, or None when the submission is not waiting for a worker."""
        response = self._call(
            lambda: self.http.post(f"/api/worker/jobs/{submission_id}/claim", json={"worker": slot})
        )
        if response.status_code == 409:
            return None
        _raise_for(response, f"claiming submission {submission_id} failed")
        return JobTicket.model_validate(response.json())

    def download(self, link: FileLink, dest: Path) -> Path:
        """Stream a signed link into ``dest``; refuse anything but the announced size and hash."""
        def fetch() -> httpx.Response:
            digest, size = hashlib.sha256(), 0
            partial = dest.with_name(dest.name + ".part")
            with self.http.stream("GET", link.url, timeout=httpx.Timeout(30.0, read=300.0)) as response:
                if response.status_code != 200:
                    response.read()
                    return response
                with partial.open("wb") as fh:
                    for chunk in response.iter_bytes(1 << 20):
                        size += len(chunk)
                        if size > link.size:
                            raise ApiUnavailable(f"{link.url.split('?')[0]} is larger than announced")
                        digest.update(chunk)
                        fh.write(chunk)
            if size != link.size or digest.hexdigest() != link.sha256:
                partial.unlink(missing_ok=True)
                raise ApiUnavailable(f"{link.url.split('?')[0]} arrived damaged (size or hash differ)")
            partial.replace(dest)
            return response

        response = self._call(fetch)
        if response.status_code in (403, 409):
            raise ClaimEnded(response.text[:300])
        _raise_for(response, "downloading a job input failed")
        return dest

    def heartbeat(self, submission_id: int, beat: Heartbeat) -> None:
        response = self._call(
            lambda: self.http.post(
                f"/api/worker/jobs/{submission_id}/heartbeat",
                content=beat.model_dump_json(exclude_unset=True),
                headers={"Content-Type": "application/json"},
            ),
            retries=1,
        )
        if response.status_code == 409:
            raise ClaimEnded(response.text[:300])
        _raise_for(response, "a heartbeat failed")

    def upload_output(
        self, submission_id: int, claim_token: str, stage: str, name: str, path: Path
    ) -> None:
        def put() -> httpx.Response:
            with path.open("rb") as fh:
                return self.http.put(
                    f"/api/worker/jobs/{submission_id}/outputs/{stage}/{name}",
                    content=fh.read(),
                    headers={"X-Claim-Token": claim_token, "Content-Type": "application/octet-stream"},
                    timeout=httpx.Timeout(30.0, read=300.0, write=300.0),
                )

        response = self._call(put)
        if response.status_code == 409:
            raise ClaimEnded(response.text[:300])
        _raise_for(response, f"uploading {stage}/{name} failed")

    def result(self, submission_id: int, body: ResultIn) -> str:
        """Post the run's outcome; the API grades and answers with what became of the job."""
        return self._done(f"/api/worker/jobs/{submission_id}/result", body.model_dump_json(),
                          self.result_timeout_s)

    def fail(self, submission_id: int, body: FailIn) -> str:
        return self._done(f"/api/worker/jobs/{submission_id}/fail", body.model_dump_json(), 60.0)

    # --- internals ----------------------------------------------------------------------------
    def _done(self, url: str, body: str, timeout_s: float) -> str:
        response = self._call(
            lambda: self.http.post(
                url,
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=httpx.Timeout(30.0, read=timeout_s),
            )
        )
        if response.status_code == 409:
            return "lost_claim"
        _raise_for(response, f"{url} failed")
        return str(response.json().get("outcome", ""))

    def _call(self, send: Callable[[], httpx.Response], *, retries: int | None = None) -> httpx.Response:
        tries = (self.retries if retries is None else retries) + 1
        for attempt in range(tries):
            try:
                response = send()
            except httpx.HTTPError as exc:
                problem: Any = exc
            else:
                if response.status_code not in _RETRY_STATUS:
                    return response
                problem = f"HTTP {response.status_code}"
            if attempt + 1 < tries:
                wait = min(8.0, 0.5 * 2**attempt)
                log.warning("API call failed (%s); retrying in %.1f s", problem, wait)
                time.sleep(wait)
        raise ApiUnavailable(f"the API at {self.http.base_url} is not answering: {problem}")


def _raise_for(response: httpx.Response, what: str) -> None:
    if response.status_code < 400:
        return
    try:
        detail = response.json().get("detail", "")
    except ValueError:
        detail = response.text[:300]
    if response.status_code == 401:
        raise ApiUnavailable(f"{what}: the API refused the worker token ({detail})")
    if response.status_code < 500:
        raise ApiRejected(f"{what}: HTTP {response.status_code}: {str(detail)[:500]}")
    raise ApiUnavailable(f"{what}: HTTP {response.status_code}: {str(detail)[:500]}")
