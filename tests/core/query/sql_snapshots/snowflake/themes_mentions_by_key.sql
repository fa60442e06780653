SELECT
  "t4"."key",
  "t4"."theme_id",
  COUNT(*) AS "mentions",
  CAST(SUM(CAST("t4"."sentiment" AS DECIMAL(38, 9))) AS DOUBLE) / CAST(NULLIF(COUNT("t4"."sentiment"), 0) AS DOUBLE) AS "sentiment"
FROM (
  SELECT
    "t2"."row",
    "t2"."theme_id",
    "t3"."key",
    "t3"."sentiment"
  FROM "tags" AS "t2"
  INNER JOIN "verbatims" AS "t3"
    ON "t2"."row" = "t3"."row"
) AS "t4"
GROUP BY
  1,
  2
