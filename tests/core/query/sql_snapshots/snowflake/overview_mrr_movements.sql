WITH "t9" AS (
  SELECT
    "t8"."customer_id",
    "t8"."m",
    "t8"."x",
    LAG("t8"."m") OVER (PARTITION BY "t8"."customer_id" ORDER BY "t8"."m" ASC) AS "prev_m",
    LAG("t8"."x") OVER (PARTITION BY "t8"."customer_id" ORDER BY "t8"."m" ASC) AS "prev_x",
    LEAD("t8"."m") OVER (PARTITION BY "t8"."customer_id" ORDER BY "t8"."m" ASC) AS "next_m"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t6"."customer_id",
        "t6"."m",
        CAST(SUM(CAST("t6"."mrr" AS DECIMAL(38, 9))) AS DOUBLE) AS "x"
      FROM (
        SELECT
          "t5"."customer_id",
          (
            (
              (
                DATE_PART(year, "t5"."period") - 1970
              ) * 12
            ) + DATE_PART(month, "t5"."period")
          ) - 1 AS "m",
          "t5"."mrr"
        FROM (
          SELECT
            *
          FROM "revenue" AS "t0"
          WHERE
            "t0"."mrr" IS NOT NULL
        ) AS "t5"
        WHERE
          EXISTS(
            SELECT
              1
            FROM (
              SELECT
                "t1"."customer_id",
                "t1"."signup_date",
                "t1"."churn_date"
              FROM "customers" AS "t1"
            ) AS "t4"
            WHERE
              "t5"."customer_id" = "t4"."customer_id"
          )
      ) AS "t6"
      GROUP BY
        1,
        2
    ) AS "t7"
    WHERE
      "t7"."x" > 0
  ) AS "t8"
)
SELECT
  "t13"."m",
  CAST(SUM(CAST("t13"."new" AS DECIMAL(38, 9))) AS DOUBLE) AS "new",
  CAST(SUM(CAST("t13"."expansion" AS DECIMAL(38, 9))) AS DOUBLE) AS "expansion",
  CAST(SUM(CAST("t13"."reactivation" AS DECIMAL(38, 9))) AS DOUBLE) AS "reactivation",
  CAST(SUM(CAST("t13"."contraction" AS DECIMAL(38, 9))) AS DOUBLE) AS "contraction",
  CAST(SUM(CAST("t13"."churned" AS DECIMAL(38, 9))) AS DOUBLE) AS "churned",
  CAST(SUM(CAST("t13"."mrr_end" AS DECIMAL(38, 9))) AS DOUBLE) AS "mrr_end"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t10"."m",
      IFF("t10"."prev_m" IS NULL, "t10"."x", 0.0) AS "new",
      IFF(
        COALESCE("t10"."prev_m" = (
          "t10"."m" - 1
        ), FALSE)
        AND (
          (
            "t10"."x" - COALESCE("t10"."prev_x", 0.0)
          ) > 0
        ),
        "t10"."x" - COALESCE("t10"."prev_x", 0.0),
        0.0
      ) AS "expansion",
      IFF(
        (
          "t10"."prev_m" IS NOT NULL
        )
        AND NOT (
          COALESCE("t10"."prev_m" = (
            "t10"."m" - 1
          ), FALSE)
        ),
        "t10"."x",
        0.0
      ) AS "reactivation",
      IFF(
        COALESCE("t10"."prev_m" = (
          "t10"."m" - 1
        ), FALSE)
        AND (
          (
            "t10"."x" - COALESCE("t10"."prev_x", 0.0)
          ) < 0
        ),
        -(
          "t10"."x" - COALESCE("t10"."prev_x", 0.0)
        ),
        0.0
      ) AS "contraction",
      0.0 AS "churned",
      "t10"."x" AS "mrr_end"
    FROM "t9" AS "t10"
  ) AS "t12"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t10"."m" + 1 AS "m",
      0.0 AS "new",
      0.0 AS "expansion",
      0.0 AS "reactivation",
      0.0 AS "contraction",
      "t10"."x" AS "churned",
      0.0 AS "mrr_end"
    FROM "t9" AS "t10"
    WHERE
      (
        "t10"."next_m" IS NULL
      ) OR (
        "t10"."next_m" <> (
          "t10"."m" + 1
        )
      )
  ) AS "t11"
) AS "t13"
GROUP BY
  1
