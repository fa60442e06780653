WITH "t8" AS (
  SELECT
    "t7"."customer_id",
    "t7"."period",
    "t7"."mrr",
    "t7"."payment_failed",
    "t7"."id",
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
    FROM "revenue" AS "t0"
    WHERE
      "t0"."mrr" IS NOT NULL
  ) AS "t7"
  INNER JOIN "cutoffs" AS "t3"
    ON "t7"."period" < "t3"."next_day"
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
      ) AS "t6"
      WHERE
        "t7"."customer_id" = "t6"."customer_id"
    )
)
SELECT
  "t16"."cutoff",
  "t16"."customer_id",
  "t16"."last" AS "now",
  "t18"."last" AS "then"
FROM (
  SELECT
    "t12"."cutoff",
    "t12"."customer_id",
    MAX(IFF("t12"."rank" = 0, "t12"."mrr", NULL)) AS "last",
    MAX(IFF("t12"."rank" = 1, "t12"."mrr", NULL)) AS "prev"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t9"."customer_id",
        "t9"."period",
        "t9"."mrr",
        "t9"."payment_failed",
        "t9"."id",
        "t9"."cutoff",
        "t9"."next_day",
        "t9"."year_before",
        "t9"."day_90",
        "t9"."months_3",
        "t9"."next_stamp",
        "t9"."stamp_90",
        "t9"."stamp_180",
        ROW_NUMBER() OVER (
          PARTITION BY "t9"."cutoff", "t9"."customer_id"
          ORDER BY "t9"."period" DESC NULLS LAST, "t9"."id" DESC NULLS LAST
        ) - 1 AS "rank"
      FROM "t8" AS "t9"
    ) AS "t11"
    WHERE
      "t11"."rank" < 2
  ) AS "t12"
  GROUP BY
    1,
    2
) AS "t16"
LEFT OUTER JOIN (
  SELECT
    "t14"."cutoff",
    "t14"."customer_id",
    MAX(IFF("t14"."rank" = 0, "t14"."mrr", NULL)) AS "last",
    MAX(IFF("t14"."rank" = 1, "t14"."mrr", NULL)) AS "prev"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t10"."customer_id",
        "t10"."period",
        "t10"."mrr",
        "t10"."payment_failed",
        "t10"."id",
        "t10"."cutoff",
        "t10"."next_day",
        "t10"."year_before",
        "t10"."day_90",
        "t10"."months_3",
        "t10"."next_stamp",
        "t10"."stamp_90",
        "t10"."stamp_180",
        ROW_NUMBER() OVER (
          PARTITION BY "t10"."cutoff", "t10"."customer_id"
          ORDER BY "t10"."period" DESC NULLS LAST, "t10"."id" DESC NULLS LAST
        ) - 1 AS "rank"
      FROM (
        SELECT
          *
        FROM "t8" AS "t9"
        WHERE
          "t9"."period" <= "t9"."months_3"
      ) AS "t10"
    ) AS "t13"
    WHERE
      "t13"."rank" < 2
  ) AS "t14"
  GROUP BY
    1,
    2
) AS "t18"
  ON "t16"."cutoff" = "t18"."cutoff" AND "t16"."customer_id" = "t18"."customer_id"
