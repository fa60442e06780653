SELECT
  "t1"."_arm" AS "arm",
  COUNT("t1"."_y") AS "n",
  SUM(IFF((
    "t1"."_y" = 0
  ) OR (
    "t1"."_y" = 1
  ), 0, 1)) AS "n_other",
  SUM("t1"."_y") AS "sum_y",
  SUM("t1"."_y" * "t1"."_y") AS "sum_y2",
  COUNT("t1"."_x") AS "n_x",
  SUM("t1"."_x") AS "sum_x",
  SUM("t1"."_x" * "t1"."_x") AS "sum_x2",
  SUM("t1"."_x" * "t1"."_y") AS "sum_xy",
  SUM(IFF("t1"."_x" IS NOT NULL, "t1"."_y", 0.0)) AS "sum_y_x"
FROM (
  SELECT
    "t0"."arm",
    "t0"."eligible",
    "t0"."retained",
    "t0"."revenue_kept",
    "t0"."pre_revenue",
    "t0"."arm" AS "_arm",
    IFF(
      "t0"."revenue_kept" = CAST('NaN' AS DOUBLE),
      CAST(NULL AS DOUBLE),
      "t0"."revenue_kept"
    ) AS "_y",
    IFF("t0"."pre_revenue" = CAST('NaN' AS DOUBLE), CAST(NULL AS DOUBLE), "t0"."pre_revenue") AS "_x"
  FROM "contacts" AS "t0"
  WHERE
    "t0"."eligible"
    AND IFF(
      "t0"."revenue_kept" = CAST('NaN' AS DOUBLE),
      CAST(NULL AS DOUBLE),
      "t0"."revenue_kept"
    ) IS NOT NULL
) AS "t1"
GROUP BY
  1
