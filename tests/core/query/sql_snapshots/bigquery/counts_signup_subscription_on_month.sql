WITH `t4` AS (
  SELECT
    *
  FROM (
    SELECT
      `t0`.`customer_id`,
      (
        (
          (
            EXTRACT(year FROM `t0`.`signup_date`) - 1970
          ) * 12
        ) + EXTRACT(month FROM `t0`.`signup_date`)
      ) - 1 AS `cohort`
    FROM `customers` AS `t0`
  ) AS `t3`
  WHERE
    `t3`.`cohort` IS NOT NULL
)
SELECT
  *
FROM (
  SELECT
    'size' AS `part`,
    `t7`.`cohort`,
    CAST(0 AS INT64) AS `k`,
    `t7`.`customers`
  FROM (
    SELECT
      `t5`.`cohort`,
      COUNT(*) AS `customers`
    FROM `t4` AS `t5`
    GROUP BY
      1
  ) AS `t7`
) AS `t8`
UNION ALL
SELECT
  *
FROM (
  SELECT
    'cell' AS `part`,
    `t10`.`cohort`,
    `t10`.`k`,
    `t10`.`customers`
  FROM (
    SELECT
      `t9`.`cohort`,
      `t9`.`k`,
      COUNT(*) AS `customers`
    FROM (
      SELECT
        `t6`.`cohort`,
        IF(
          `t2`.`churn_date` IS NULL,
          2147483647,
          (
            (
              (
                (
                  EXTRACT(year FROM `t2`.`churn_date`) - 1970
                ) * 12
              ) + EXTRACT(month FROM `t2`.`churn_date`)
            ) - 1
          ) - `t6`.`cohort`
        ) AS `k`
      FROM `t4` AS `t6`
      INNER JOIN (
        SELECT
          `t0`.`customer_id`,
          `t0`.`signup_date`,
          `t0`.`churn_date`
        FROM `customers` AS `t0`
      ) AS `t2`
        ON `t6`.`customer_id` = `t2`.`customer_id`
    ) AS `t9`
    GROUP BY
      1,
      2
  ) AS `t10`
) AS `t11`
