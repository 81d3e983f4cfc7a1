-- Credits: the character an actor plays in a movie and their billing position, kept on the
-- link. The CHECK constraints mirror casting-core's rules (`Character`, `Billing`); a billing
-- position is unique within a movie (the UNIQUE index also serves "by billing" reads and the
-- highest position when a new actor is billed after the rest).

ALTER TABLE actors_movies
    ADD COLUMN character TEXT,
    ADD COLUMN billing INTEGER;

-- Links made before this migration: no character, billed in the order the API showed them
-- (ascending actor id).
UPDATE actors_movies AS am
SET billing = ranked.position
FROM (
    SELECT movie_id, actor_id,
           row_number() OVER (PARTITION BY movie_id ORDER BY actor_id) AS position
    FROM actors_movies
) AS ranked
WHERE am.movie_id = ranked.movie_id AND am.actor_id = ranked.actor_id;

ALTER TABLE actors_movies
    ALTER COLUMN billing SET NOT NULL,
    ADD CONSTRAINT actors_movies_character_check CHECK (
        character IS NULL OR (
            char_length(character) BETWEEN 1 AND 200
            AND character = btrim(character)
            AND character !~ '[[:cntrl:]]'
        )
    ),
    ADD CONSTRAINT actors_movies_billing_check CHECK (billing >= 1),
    ADD CONSTRAINT actors_movies_movie_id_billing_key UNIQUE (movie_id, billing);
