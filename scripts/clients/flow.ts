// A client's whole flow through openapi-fetch over the types openapi-typescript generates from
// docs/openapi.json (scripts/clients.sh writes them to schema.d.ts beside this file).
// Type-checked with `tsc --noEmit --strict`, then run against a started server:
//
//   CASTING_URL=http://127.0.0.1:8080 CASTING_TOKEN=<Executive Producer token> node flow.js
//
// Every step uses the generated types as they are: no hand conversion.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type ErrorBody = components["schemas"]["ErrorBody"];
type Gender = components["schemas"]["Gender"];

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`typescript flow: ${what}`);
  }
}

async function main(): Promise<void> {
  const base = process.env.CASTING_URL;
  const token = process.env.CASTING_TOKEN;
  check(base !== undefined && token !== undefined, "set CASTING_URL and CASTING_TOKEN");
  const client = createClient<paths>({
    baseUrl: base,
    headers: { Authorization: `Bearer ${token}` },
  });

  // List, following `next` to the end: every movie once.
  const seen: number[] = [];
  let after: string | undefined;
  for (;;) {
    const { data, error } = await client.GET("/movies", {
      params: { query: { per_page: 2, after } },
    });
    check(data !== undefined, `list: ${JSON.stringify(error)}`);
    seen.push(...data.movies.map((movie) => movie.id));
    if (data.next === null) break;
    after = data.next;
  }
  check(new Set(seen).size === seen.length, `a walk saw a movie twice: ${seen}`);

  // Create an actor and a movie.
  const actor = await client.POST("/actors", {
    body: { name: "TypeScript Client", age: 37, gender: "male" },
  });
  check(actor.data !== undefined, `create actor: ${JSON.stringify(actor.error)}`);
  const gender: Gender = actor.data.actor.gender;
  check(gender === "Male", `gender comes back written: ${gender}`);
  const actorId = actor.data.actor.id;
  const movie = await client.POST("/movies", {
    body: { title: "Typed", release_date: "2025-02-08" },
  });
  check(movie.data !== undefined, `create movie: ${JSON.stringify(movie.error)}`);
  const movieId = movie.data.movie.id;

  // Replace the cast, with a null character and billing sent as the types allow.
  const cast = await client.PUT("/movies/{id}/cast", {
    params: { path: { id: movieId } },
    body: { cast: [{ actor: actorId, character: null, billing: null }] },
  });
  check(cast.data !== undefined, `cast: ${JSON.stringify(cast.error)}`);
  check(cast.data.cast[0]?.actor.id === actorId, "the cast holds the actor");
  const credits = await client.GET("/actors/{id}/credits", {
    params: { path: { id: actorId } },
  });
  check(credits.data !== undefined, "credits");

  // PATCH with If-Match from the ETag just read; then the same stale tag is a 412.
  const read = await client.GET("/movie-details/{id}", { params: { path: { id: movieId } } });
  check(read.data !== undefined, "read");
  const etag = read.response.headers.get("ETag");
  check(etag !== null, "an ETag");
  const patched = await client.PATCH("/movies/{id}", {
    params: { path: { id: movieId }, header: { "If-Match": etag } },
    body: { title: "Typed II" },
  });
  check(patched.response.status === 200, `PATCH with If-Match: ${patched.response.status}`);
  const stale = await client.PATCH("/movies/{id}", {
    params: { path: { id: movieId }, header: { "If-Match": etag } },
    body: { title: "Too late" },
  });
  check(stale.response.status === 412, `stale: ${stale.response.status}`);
  const refusal: ErrorBody | undefined = stale.error;
  check(refusal?.code === "precondition_failed", `code: ${JSON.stringify(refusal)}`);

  // GET, then PATCH the same object back as read: its written date included.
  const again = await client.GET("/movie-details/{id}", { params: { path: { id: movieId } } });
  check(again.data !== undefined, "read again");
  const current = again.data.movie;
  const back = await client.PATCH("/movies/{id}", {
    params: { path: { id: movieId } },
    body: { title: current.title, release_date: current.release_date, actors: current.actors },
  });
  check(back.data !== undefined, `send back as read: ${JSON.stringify(back.error)}`);
  check(back.data.movie.release_date === current.release_date, "the date round-trips");

  // The audit trail names the changes.
  const trail = await client.GET("/audit", { params: { query: { per_page: 5 } } });
  check(trail.data !== undefined && trail.data.entries.length > 0, "the trail has entries");

  // Deleted by mistake: the trail keeps what it was, and a restore brings it back.
  const gone = await client.DELETE("/movies/{id}", { params: { path: { id: movieId } } });
  check(gone.data !== undefined, `delete: ${gone.response.status}`);
  const about = await client.GET("/audit", { params: { query: { id: movieId } } });
  check(about.data !== undefined, `audit: ${about.response.status}`);
  const deleted = about.data.entries.find((entry) => entry.resource === "movie");
  check(deleted?.action === "delete", `newest entry of the movie: ${JSON.stringify(deleted)}`);
  const title = deleted.changes["title"];
  check(title?.from === current.title && title.to === null, `the title: ${JSON.stringify(title)}`);
  const restored = await client.POST("/movies/{id}/restore", {
    params: { path: { id: movieId } },
  });
  check(restored.data !== undefined, `restore: ${JSON.stringify(restored.error)}`);
  check(restored.data.movie.title === current.title, "restored as it was");
  check(restored.data.left_out.length === 0, `left out: ${restored.data.left_out}`);
  console.log(`typescript flow: ok (${seen.length} movies walked, movie ${movieId}, actor ${actorId})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
