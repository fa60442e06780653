WITH "t13" AS (
  SELECT
    "t11"."customer_id",
    "t11"."period" AS "date",
    "t11"."amount",
    (
      "t11"."amount" > 0
    ) AND NOT (
      COALESCE("t11"."is_return", FALSE)
    ) AS "sold"
  FROM (
    SELECT
      *
    FROM "revenue" AS "t1"
    WHERE
      "t1"."mrr" IS NULL AND "t1"."amount" IS NOT NULL
  ) AS "t11"
  WHERE
    EXISTS(
      SELECT
        1
      FROM (
        SELECT
          "t3"."customer_id",
          "t3"."signup_date",
          "t3"."churn_date"
        FROM "customers" AS "t3"
      ) AS "t10"
      WHERE
        "t11"."customer_id" = "t10"."customer_id"
    )
)
SELECT
  "t8"."m",
  "t28"."buyers",
  "t28"."repeat",
  "t28"."days",
  "t25"."revenue"
FROM (
  SELECT
    "t0"."m"
  FROM "windows" AS "t0"
) AS "t8"
LEFT OUTER JOIN (
  SELECT
    "t26"."m",
    COUNT(*) AS "buyers",
    SUM(CAST("t26"."n" >= 2 AS INT)) AS "repeat",
    SUM("t26"."n") AS "days"
  FROM (
    SELECT
      "t24"."m",
      "t24"."customer_id",
      SUM("t24"."n") AS "n"
    FROM (
      SELECT
        "t4"."m",
        "t4"."first_m",
        "t22"."customer_id",
        "t22"."dm",
        "t22"."n"
      FROM "windows" AS "t4"
      INNER JOIN (
        SELECT
          "t19"."customer_id",
          "t19"."dm",
          COUNT(*) AS "n"
        FROM (
          SELECT
            "t16"."customer_id",
            (
              (
                (
                  DATE_PART(year, "t16"."date") - 1970
                ) * 12
              ) + DATE_PART(month, "t16"."date")
            ) - 1 AS "dm"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t5"."customer_id",
                "t5"."date"
              FROM "purchases" AS "t5"
              WHERE
                EXISTS(
                  SELECT
                    1
                  FROM (
                    SELECT
                      "t3"."customer_id",
                      "t3"."signup_date",
                      "t3"."churn_date"
                    FROM "customers" AS "t3"
                  ) AS "t10"
                  WHERE
                    "t5"."customer_id" = "t10"."customer_id"
                )
            ) AS "t12"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t14"."customer_id",
                "t14"."date"
              FROM "t13" AS "t14"
              WHERE
                "t14"."sold"
            ) AS "t15"
          ) AS "t16"
        ) AS "t19"
        GROUP BY
          1,
          2
      ) AS "t22"
        ON "t22"."dm" >= "t4"."first_m" AND "t22"."dm" <= "t4"."m"
    ) AS "t24"
    GROUP BY
      1,
      2
  ) AS "t26"
  GROUP BY
    1
) AS "t28"
  ON "t8"."m" = "t28"."m"
LEFT OUTER JOIN (
  SELECT
    "t20"."m",
    CAST(SUM(CAST("t20"."amount" AS DECIMAL(38, 9))) AS DOUBLE) AS "revenue"
  FROM (
    SELECT
      "t4"."m",
      "t4"."first_m",
      "t18"."amount",
      "t18"."sm"
    FROM "windows" AS "t4"
    INNER JOIN (
      SELECT
        "t14"."amount",
        (
          (
            (
              DATE_PART(year, "t14"."date") - 1970
            ) * 12
          ) + DATE_PART(month, "t14"."date")
        ) - 1 AS "sm"
      FROM "t13" AS "t14"
    ) AS "t18"
      ON "t18"."sm" >= "t4"."first_m" AND "t18"."sm" <= "t4"."m"
  ) AS "t20"
  GROUP BY
    1
) AS "t25"
  ON "t8"."m" = "t25"."m"
