"""A client's whole flow through the Python client generated from docs/openapi.json by
openapi-python-client (scripts/clients.sh generates it as the package `casting_client`).
Type-checked with `mypy --strict`, then run against a started server:

    CASTING_URL=http://127.0.0.1:8080 CASTING_TOKEN=<Executive Producer token> python flow.py

Every step uses the generated types as they are: no hand conversion.
"""

import os
from http import HTTPStatus

from casting_client import AuthenticatedClient
from casting_client.types import UNSET, Unset
from casting_client.api.actors import create_actor, get_actor_details
from casting_client.api.audit import list_audit
from casting_client.api.credits_ import get_credits, replace_cast
from casting_client.api.movies import (
    create_movie,
    delete_movie,
    get_movie_details,
    list_movies,
    restore_movie,
    update_movie,
)
from casting_client.models import (
    ActorEnvelope,
    AuditPage,
    CastBody,
    CastEnvelope,
    CreditInput,
    CreditsEnvelope,
    ErrorBody,
    Gender,
    MovieDeleted,
    MovieEnvelope,
    MoviePatchBody,
    MovieRestored,
    MoviesPage,
    NewActorBody,
    NewMovieBody,
)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"python flow: {what}")


def main() -> None:
    client = AuthenticatedClient(
        base_url=os.environ["CASTING_URL"], token=os.environ["CASTING_TOKEN"]
    )

    # List, following `next` to the end: every movie once.
    seen: list[int] = []
    after: str | Unset = UNSET
    while True:
        page = list_movies.sync_detailed(client=client, per_page=2, after=after)
        check(isinstance(page.parsed, MoviesPage), f"list: {page.status_code}")
        assert isinstance(page.parsed, MoviesPage)
        seen.extend(movie.id for movie in page.parsed.movies)
        if page.parsed.next_ is None:
            break
        after = page.parsed.next_
    check(len(seen) == len(set(seen)), f"a walk saw a movie twice: {seen}")

    # Create an actor and a movie.
    actor = create_actor.sync_detailed(
        client=client,
        body=NewActorBody(name="Python Client", age=41, gender="female"),
    )
    check(isinstance(actor.parsed, ActorEnvelope), f"create actor: {actor.status_code}")
    assert isinstance(actor.parsed, ActorEnvelope)
    check(actor.parsed.actor.gender == Gender.FEMALE, "gender comes back as the enum")
    actor_id = actor.parsed.actor.id
    movie = create_movie.sync_detailed(
        client=client,
        body=NewMovieBody(title="Generated", release_date="08-02-2025"),
    )
    check(isinstance(movie.parsed, MovieEnvelope), f"create movie: {movie.status_code}")
    assert isinstance(movie.parsed, MovieEnvelope)
    movie_id = movie.parsed.movie.id

    # Replace the cast, with a null character and billing sent as the types allow.
    cast = replace_cast.sync_detailed(
        movie_id,
        client=client,
        body=CastBody(cast=[CreditInput(actor=actor_id, character=None, billing=None)]),
    )
    check(isinstance(cast.parsed, CastEnvelope), f"cast: {cast.status_code} {cast.content!r}")
    assert isinstance(cast.parsed, CastEnvelope)
    check(cast.parsed.cast[0].actor.id == actor_id, "the cast holds the actor")
    credits = get_credits.sync_detailed(actor_id, client=client)
    check(isinstance(credits.parsed, CreditsEnvelope), f"credits: {credits.status_code}")
    details = get_actor_details.sync_detailed(actor_id, client=client)
    check(isinstance(details.parsed, ActorEnvelope), f"actor: {details.status_code}")

    # PATCH with If-Match from the ETag just read; then the same stale tag is a 412.
    read = get_movie_details.sync_detailed(movie_id, client=client)
    check(isinstance(read.parsed, MovieEnvelope), f"read: {read.status_code}")
    assert isinstance(read.parsed, MovieEnvelope)
    etag = read.headers["ETag"]
    patched = update_movie.sync_detailed(
        movie_id, client=client, body=MoviePatchBody(title="Generated II"), if_match=etag
    )
    check(patched.status_code == HTTPStatus.OK, f"PATCH with If-Match: {patched.status_code}")
    stale = update_movie.sync_detailed(
        movie_id, client=client, body=MoviePatchBody(title="Too late"), if_match=etag
    )
    check(stale.status_code == HTTPStatus.PRECONDITION_FAILED, f"stale: {stale.status_code}")
    check(isinstance(stale.parsed, ErrorBody), "the 412 parses as ErrorBody")
    assert isinstance(stale.parsed, ErrorBody)
    check(stale.parsed.code == "precondition_failed", f"code: {stale.parsed.code}")

    # GET, then PATCH the same object back as read: its written date included.
    read = get_movie_details.sync_detailed(movie_id, client=client)
    assert isinstance(read.parsed, MovieEnvelope)
    current = read.parsed.movie
    back = update_movie.sync_detailed(
        movie_id,
        client=client,
        body=MoviePatchBody(
            title=current.title, release_date=current.release_date, actors=current.actors
        ),
        if_match=read.headers["ETag"],
    )
    check(back.status_code == HTTPStatus.OK, f"send back as read: {back.status_code} {back.content!r}")
    assert isinstance(back.parsed, MovieEnvelope)
    check(back.parsed.movie.release_date == current.release_date, "the date round-trips")

    # The audit trail names the changes.
    trail = list_audit.sync_detailed(client=client, per_page=5)
    check(isinstance(trail.parsed, AuditPage), f"audit: {trail.status_code}")
    assert isinstance(trail.parsed, AuditPage)
    check(len(trail.parsed.entries) > 0, "the trail has entries")

    # Deleted by mistake: the trail keeps what it was, and a restore brings it back.
    gone = delete_movie.sync_detailed(movie_id, client=client)
    check(isinstance(gone.parsed, MovieDeleted), f"delete: {gone.status_code}")
    about = list_audit.sync_detailed(client=client, id=movie_id)
    assert isinstance(about.parsed, AuditPage)
    deleted = next(e for e in about.parsed.entries if e.resource == "movie")
    check(deleted.action == "delete", f"newest entry of the movie: {deleted.action}")
    title = deleted.changes.additional_properties["title"]
    check(title.from_ == current.title and title.to is None, f"the title it had: {title}")
    restored = restore_movie.sync_detailed(movie_id, client=client)
    check(isinstance(restored.parsed, MovieRestored), f"restore: {restored.status_code}")
    assert isinstance(restored.parsed, MovieRestored)
    check(restored.parsed.movie.title == current.title, "restored as it was")
    check(restored.parsed.left_out == [], f"nothing left out: {restored.parsed.left_out}")
    print(f"python flow: ok ({len(seen)} movies walked, movie {movie_id}, actor {actor_id})")


if __name__ == "__main__":
    main()
