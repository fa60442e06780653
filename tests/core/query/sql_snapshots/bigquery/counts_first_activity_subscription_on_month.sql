WITH `t7` AS (
  SELECT
    `t6`.`customer_id`,
    MIN(`t6`.`p`) AS `cohort`
  FROM (
    SELECT
      `t5`.`customer_id`,
      `t5`.`p`
    FROM (
      SELECT DISTINCT
        `t1`.`customer_id`,
        (
          (
            (
              EXTRACT(year FROM `t1`.`date`) - 1970
            ) * 12
          ) + EXTRACT(month FROM `t1`.`date`)
        ) - 1 AS `p`
      FROM `activity` AS `t1`
    ) AS `t5`
    WHERE
      EXISTS(
        SELECT
          1
        FROM (
          SELECT
            `t0`.`customer_id`,
            `t0`.`signup_date`,
            `t0`.`churn_date`
          FROM `customers` AS `t0`
        ) AS `t3`
        WHERE
          `t5`.`customer_id` = `t3`.`customer_id`
      )
  ) AS `t6`
  GROUP BY
    1
)
SELECT
  *
FROM (
  SELECT
    'size' AS `part`,
    `t10`.`cohort`,
    CAST(0 AS INT64) AS `k`,
    `t10`.`customers`
  FROM (
    SELECT
      `t8`.`cohort`,
      COUNT(*) AS `customers`
    FROM `t7` AS `t8`
    GROUP BY
      1
  ) AS `t10`
) AS `t11`
UNION ALL
SELECT
  *
FROM (
  SELECT
    'cell' AS `part`,
    `t13`.`cohort`,
    `t13`.`k`,
    `t13`.`customers`
  FROM (
    SELECT
      `t12`.`cohort`,
      `t12`.`k`,
      COUNT(*) AS `customers`
    FROM (
      SELECT
        `t9`.`cohort`,
        IF(
          `t3`.`churn_date` IS NULL,
          2147483647,
          (
            (
              (
                (
                  EXTRACT(year FROM `t3`.`churn_date`) - 1970
                ) * 12
              ) + EXTRACT(month FROM `t3`.`churn_date`)
            ) - 1
          ) - `t9`.`cohort`
        ) AS `k`
      FROM `t7` AS `t9`
      INNER JOIN (
        SELECT
          `t0`.`customer_id`,
          `t0`.`signup_date`,
          `t0`.`churn_date`
        FROM `customers` AS `t0`
      ) AS `t3`
        ON `t9`.`customer_id` = `t3`.`customer_id`
    ) AS `t12`
    GROUP BY
      1,
      2
  ) AS `t13`
) AS `t14`
