"""GoalpostClient: typed async methods over gql's httpx transport, plus the org slug cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import httpx
from gql import Client, GraphQLRequest
from gql.transport.exceptions import (
    TransportError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

from goalpost.client import documents
from goalpost.client.errors import (
    LIVE_OVERFLOW_CLOSE,
    GoalpostError,
    LiveOverflow,
    NetworkError,
    error_from_graphql,
)
from goalpost.client.history import GoalChangeNotice, GoalChanges
from goalpost.client.models import (
    BatchResult,
    Category,
    Goal,
    GoalItem,
    Me,
    OrgInfo,
    ReviewBatchResult,
    ReviewItem,
    SaveResult,
    SubmitResult,
    TeamGoal,
    WeightTotals,
    review_result_from_data,
    save_result_from_data,
)

if TYPE_CHECKING:
    from goalpost.client.autosave import AutoSaver

ErrorPolicy = Literal["SAVE_VALID", "ALL_OR_NOTHING"]
Item = GoalItem | Mapping[str, Any]


def item_input(item: Item) -> dict[str, Any]:
    return item.to_input() if isinstance(item, GoalItem) else dict(item)


def websocket_url(graphql_url: str) -> str:
    """`http://host/graphql` → `ws://host/graphql` (https → wss): live changes' endpoint."""
    scheme, _, rest = graphql_url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}"


def closed_with(error: BaseException) -> tuple[int, str] | None:
    """The close code and reason the server ended a socket with, if `error` came from that
    (gql wraps the `websockets` ConnectionClosed it met)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionClosed) and seen.rcvd is not None:
            return seen.rcvd.code, seen.rcvd.reason
        seen = seen.__cause__ or seen.__context__
    return None


class GoalpostClient:
    """One signed-in user talking to one goalpost server.

    `url` is the GraphQL endpoint (`http://host:port/graphql`). Use it as an async context
    manager, or call `aclose()`; the connection opens on the first request.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        **httpx_kwargs: Any,
    ) -> None:
        self.url = url
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        self._authorization = sent.get("Authorization")  # sent in a subscription's init too
        transport = HTTPXAsyncTransport(url=url, headers=sent, timeout=timeout, **httpx_kwargs)
        # gql's own timeout is a backstop behind httpx's, so httpx reports what timed out.
        self._gql = Client(transport=transport, execute_timeout=timeout + 5)
        self._session: Any = None
        self._connect_lock = asyncio.Lock()
        self._orgs: dict[str, OrgInfo] = {}
        self._savers: list[AutoSaver] = []
        self.current_org: str | None = None

    async def __aenter__(self) -> GoalpostClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Flush and close attached AutoSavers, then the HTTP connection pool."""
        for saver in list(self._savers):
            await saver.aclose()
        if self._session is not None:
            self._session = None
            await self._gql.close_async()  # type: ignore[no-untyped-call]

    # -- transport ---------------------------------------------------------------------------

    async def _connected(self) -> Any:
        async with self._connect_lock:
            if self._session is None:
                self._session = await self._gql.connect_async()  # type: ignore[no-untyped-call]
            return self._session

    async def execute(self, request: GraphQLRequest, variables: Mapping[str, Any]) -> Any:
        """Run one operation; any request-level failure becomes a GoalpostError."""
        session = await self._connected()
        try:
            return await session.execute(GraphQLRequest(request, variable_values=dict(variables)))
        except TransportQueryError as exc:
            raise error_from_graphql(exc.errors or [{"message": str(exc)}]) from exc
        except TransportServerError as exc:
            status = exc.code or 0
            raise GoalpostError(
                f"HTTP {status} without a GraphQL answer",
                code=f"HTTP_{status}",
                retryable=status >= 500 or status == 429,
            ) from exc
        except (TransportError, httpx.HTTPError, TimeoutError, OSError) as exc:
            raise NetworkError(f"no answer from {self.url}: {exc}") from exc

    # -- reads ----------------------------------------------------------------------------------

    async def me(self) -> Me:
        data = await self.execute(documents.ME, {})
        return Me.from_data(data["me"])

    async def organization(self, slug: str, *, refresh: bool = False) -> OrgInfo:
        """The org context (competencies, periods), fetched once per slug and cached."""
        if refresh or slug not in self._orgs:
            data = await self.execute(documents.ORGANIZATION, {"slug": slug})
            self._orgs[slug] = OrgInfo.from_data(data["organization"])
        return self._orgs[slug]

    def clear_org_slug_cache(self) -> None:
        self._orgs.clear()

    @property
    def cached_orgs(self) -> list[str]:
        return list(self._orgs)

    async def my_goals(
        self, org_slug: str, period_id: str, category: Category | None = None
    ) -> list[Goal]:
        data = await self.execute(
            documents.MY_GOALS, {"slug": org_slug, "periodId": period_id, "category": category}
        )
        return [Goal.from_data(g) for g in data["organization"]["period"]["myGoals"]]

    async def goal_changes(
        self, org_slug: str, period_id: str, after: str | None = None, first: int = 100
    ) -> GoalChanges:
        """One page of the change feed (own goals' events, and direct reports' for a
        supervisor). Keep the returned `cursor` and pass it as `after` next time: every event
        comes exactly once, whenever and from wherever you page."""
        variables = {"slug": org_slug, "periodId": period_id, "after": after, "first": first}
        data = await self.execute(documents.GOAL_CHANGES, variables)
        return GoalChanges.from_data(data["organization"]["period"]["goalChanges"])

    async def goal_changed(
        self, org_slug: str, period_id: str, *, connect_timeout: float = 10.0
    ) -> AsyncIterator[GoalChangeNotice]:
        """Subscribe to `goalChanged` (graphql-transport-ws at the same URL): a notice right
        after each committed change of a goal the caller may see, until the iteration stops.

        Its own WebSocket, with the token in `connection_init`. A refused org or period raises
        its GoalpostError; a socket that fails or drops raises NetworkError (subscribe again,
        and catch up with `goal_changes(after=<last notice's cursor>)`).
        """
        init = {"Authorization": self._authorization} if self._authorization else {}
        transport = WebsocketsTransport(
            url=websocket_url(self.url),
            init_payload=init,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],  # graphql-transport-ws
            connect_timeout=connect_timeout,
            ack_timeout=connect_timeout,
        )
        request = GraphQLRequest(
            documents.GOAL_CHANGED, variable_values={"slug": org_slug, "periodId": period_id}
        )
        try:
            async with Client(transport=transport) as session:
                async for data in session.subscribe(request):
                    yield GoalChangeNotice.from_data(data["goalChanged"])
        except TransportQueryError as exc:
            raise error_from_graphql(exc.errors or [{"message": str(exc)}]) from exc
        except (TransportError, TimeoutError, OSError) as exc:
            if closed_with(exc) == LIVE_OVERFLOW_CLOSE:
                raise LiveOverflow(f"live changes from {self.url} fell behind: {exc}") from exc
            raise NetworkError(f"live changes from {self.url} stopped: {exc}") from exc

    async def team_goals(
        self, org_slug: str, period_id: str, status: str | None = None
    ) -> list[TeamGoal]:
        """The goals of the caller's direct reports in the period (empty if they have none)."""
        data = await self.execute(
            documents.TEAM_GOALS, {"slug": org_slug, "periodId": period_id, "status": status}
        )
        return [TeamGoal.from_data(g) for g in data["organization"]["period"]["teamGoals"]]

    # -- writes ---------------------------------------------------------------------------------

    async def batch_save(
        self,
        org_slug: str,
        period_id: str,
        items: Iterable[Item],
        *,
        error_policy: ErrorPolicy | None = None,
    ) -> BatchResult:
        """One `batchSaveGoals` request; item failures are values in `results`, not exceptions."""
        batch: dict[str, Any] = {
            "orgSlug": org_slug,
            "periodId": period_id,
            "items": [item_input(i) for i in items],
        }
        if error_policy is not None:
            batch["errorPolicy"] = error_policy
        data = (await self.execute(documents.BATCH_SAVE, {"input": batch}))["batchSaveGoals"]
        return BatchResult(
            results=tuple(save_result_from_data(r) for r in data["results"]),
            saved_count=int(data["savedCount"]),
            failed_count=int(data["failedCount"]),
            weight_totals=WeightTotals.from_data(data["weightTotals"]),
        )

    async def save_goal(self, org_slug: str, period_id: str, item: Item) -> SaveResult:
        """One `saveGoal` request: the per-goal baseline."""
        variables = {
            "input": {"orgSlug": org_slug, "periodId": period_id, "item": item_input(item)}
        }
        data = await self.execute(documents.SAVE_GOAL, variables)
        return save_result_from_data(data["saveGoal"])

    async def submit_goals(self, org_slug: str, period_id: str) -> SubmitResult:
        """Submit every goal of the period, or get the reasons why not (nothing is submitted)."""
        data = await self.execute(documents.SUBMIT_GOALS, {"slug": org_slug, "periodId": period_id})
        return SubmitResult.from_data(data["submitGoals"])

    async def review_goals(
        self,
        org_slug: str,
        period_id: str,
        items: Iterable[ReviewItem | Mapping[str, Any]],
        *,
        error_policy: ErrorPolicy | None = None,
    ) -> ReviewBatchResult:
        """One `reviewGoals` request: approve or return many submitted goals of direct
        reports; item failures are values in `results`, not exceptions."""
        batch: dict[str, Any] = {
            "orgSlug": org_slug,
            "periodId": period_id,
            "items": [i.to_input() if isinstance(i, ReviewItem) else dict(i) for i in items],
        }
        if error_policy is not None:
            batch["errorPolicy"] = error_policy
        data = (await self.execute(documents.REVIEW_GOALS, {"input": batch}))["reviewGoals"]
        return ReviewBatchResult(
            results=tuple(review_result_from_data(r) for r in data["results"]),
            reviewed_count=int(data["reviewedCount"]),
            failed_count=int(data["failedCount"]),
        )

    # -- org switching -----------------------------------------------------------------------

    def attach(self, saver: AutoSaver) -> None:
        self._savers.append(saver)

    def detach(self, saver: AutoSaver) -> None:
        if saver in self._savers:
            self._savers.remove(saver)

    async def switch_org(self, slug: str) -> OrgInfo:
        """Flush and close every AutoSaver of another org, clear the cache, load `slug`.

        Closing the old savers is what guarantees that nothing typed later lands in the old org.
        """
        for saver in [s for s in self._savers if s.org_slug != slug]:
            await saver.aclose()
        self.clear_org_slug_cache()
        info = await self.organization(slug)
        self.current_org = slug
        return info

    def savers(self) -> Sequence[AutoSaver]:
        return tuple(self._savers)
