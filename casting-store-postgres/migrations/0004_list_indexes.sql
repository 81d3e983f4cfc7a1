-- Indexes for sorted and filtered lists (see docs/performance.md for each query shape's plan).
--
-- Every sort ends with the id, so each sortable column is indexed together with it: a first
-- page reads the index's first rows, a cursor page starts at the cursor (a range on
-- `(column, id)`), and a descending sort reads the same index backwards. Text is indexed
-- COLLATE "C", the code-point order the API sorts by whatever the database's locale.
-- The (gender, age) index lets a count of genders, with or without an age range ("actresses
-- between 25 and 35"), read the index alone instead of the table.

CREATE INDEX movies_title_id_idx ON movies (title COLLATE "C", id);
CREATE INDEX movies_release_date_id_idx ON movies (release_date, id);
CREATE INDEX actors_name_id_idx ON actors (name COLLATE "C", id);
CREATE INDEX actors_age_id_idx ON actors (age, id);
CREATE INDEX actors_gender_age_idx ON actors (gender, age);
