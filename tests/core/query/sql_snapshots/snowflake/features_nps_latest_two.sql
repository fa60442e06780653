SELECT
  "t10"."cutoff",
  "t10"."customer_id",
  MAX(IFF("t10"."rank" = 0, "t10"."score", NULL)) AS "last",
  MAX(IFF("t10"."rank" = 1, "t10"."score", NULL)) AS "prev"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t8"."id",
      "t8"."customer_id",
      "t8"."date",
      "t8"."channel",
      "t8"."score",
      "t8"."cutoff",
      "t8"."next_day",
      "t8"."year_before",
      "t8"."day_90",
      "t8"."months_3",
      "t8"."next_stamp",
      "t8"."stamp_90",
      "t8"."stamp_180",
      ROW_NUMBER() OVER (
        PARTITION BY "t8"."cutoff", "t8"."customer_id"
        ORDER BY "t8"."date" DESC NULLS LAST, "t8"."id" DESC NULLS LAST
      ) - 1 AS "rank"
    FROM (
      SELECT
        "t7"."id",
        "t7"."customer_id",
        "t7"."date",
        "t7"."channel",
        "t7"."score",
        "t3"."cutoff",
        "t3"."next_day",
        "t3"."year_before",
        "t3"."day_90",
        "t3"."months_3",
        "t3"."next_stamp",
        "t3"."stamp_90",
        "t3"."stamp_180"
      FROM (
        SELECT
          *
        FROM "feedback" AS "t0"
        WHERE
          LOWER("t0"."channel") = 'nps' AND "t0"."score" IS NOT NULL
      ) AS "t7"
      INNER JOIN "cutoffs" AS "t3"
        ON "t7"."date" < "t3"."next_day"
      WHERE
        EXISTS(
          SELECT
            1
          FROM (
            SELECT
              "t2"."customer_id",
              "t2"."signup_date",
              "t2"."churn_date"
            FROM "customers" AS "t2"
          ) AS "t5"
          WHERE
            "t7"."customer_id" = "t5"."customer_id"
        )
    ) AS "t8"
  ) AS "t9"
  WHERE
    "t9"."rank" < 2
) AS "t10"
GROUP BY
  1,
  2
