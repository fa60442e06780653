SELECT
  "t1"."_arm" AS "arm",
  COUNT("t1"."_y") AS "n",
  SUM(IFF((
    "t1"."_y" = 0
  ) OR (
    "t1"."_y" = 1
  ), 0, 1)) AS "n_other",
  SUM("t1"."_y") AS "sum_y",
  SUM("t1"."_y" * "t1"."_y") AS "sum_y2"
FROM (
  SELECT
    "t0"."arm",
    "t0"."eligible",
    "t0"."retained",
    "t0"."revenue_kept",
    "t0"."pre_revenue",
    "t0"."arm" AS "_arm",
    IFF("t0"."retained" = CAST('NaN' AS DOUBLE), CAST(NULL AS DOUBLE), "t0"."retained") AS "_y"
  FROM "contacts" AS "t0"
  WHERE
    "t0"."eligible"
    AND IFF("t0"."retained" = CAST('NaN' AS DOUBLE), CAST(NULL AS DOUBLE), "t0"."retained") IS NOT NULL
) AS "t1"
GROUP BY
  1
