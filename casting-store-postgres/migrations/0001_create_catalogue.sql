-- The catalogue: movies, actors and the cast between them (the original API's table names).
-- The CHECK constraints mirror casting-core's rules, so no other writer can store what the API
-- would refuse. Landed migrations are never edited: add a new numbered file instead.

CREATE TABLE movies (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title        TEXT NOT NULL,
    release_date DATE NOT NULL,
    CONSTRAINT movies_title_check CHECK (
        char_length(title) BETWEEN 1 AND 200
        AND title = btrim(title)
        AND title !~ '[[:cntrl:]]'
    ),
    CONSTRAINT movies_release_date_check CHECK (
        release_date BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'
    )
);

CREATE TABLE actors (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   TEXT NOT NULL,
    age    SMALLINT NOT NULL,
    gender TEXT NOT NULL,
    CONSTRAINT actors_name_check CHECK (
        char_length(name) BETWEEN 1 AND 200
        AND name = btrim(name)
        AND name !~ '[[:cntrl:]]'
    ),
    CONSTRAINT actors_age_check CHECK (age BETWEEN 0 AND 150),
    CONSTRAINT actors_gender_check CHECK (gender IN ('Female', 'Male', 'Other'))
);

-- Deleting either side removes its links, never the other side.
CREATE TABLE actors_movies (
    movie_id BIGINT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    actor_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    PRIMARY KEY (movie_id, actor_id)
);

-- The primary key serves movie -> actors; this serves actor -> movies.
CREATE INDEX actors_movies_actor_id_movie_id_idx ON actors_movies (actor_id, movie_id);
