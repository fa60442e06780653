WITH `t7` AS (
  SELECT
    `t6`.`customer_id`,
    `t6`.`p`,
    MIN(`t6`.`p`) OVER (
      PARTITION BY `t6`.`customer_id`
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS `cohort`
  FROM (
    SELECT
      `t5`.`customer_id`,
      `t5`.`p`
    FROM (
      SELECT DISTINCT
        `t0`.`customer_id`,
        CAST(FLOOR(
          (
            (
              (
                (
                  EXTRACT(year FROM `t0`.`date`) - 1970
                ) * 12
              ) + EXTRACT(month FROM `t0`.`date`)
            ) - 1
          ) / (
            3
          )
        ) AS BIGINT) AS `p`
      FROM `activity` AS `t0`
    ) AS `t5`
    LEFT SEMI JOIN (
      SELECT
        `t1`.`customer_id`,
        `t1`.`signup_date`,
        `t1`.`churn_date`
      FROM `customers` AS `t1`
    ) AS `t3`
      ON `t5`.`customer_id` = `t3`.`customer_id`
  ) AS `t6`
)
SELECT
  *
FROM (
  SELECT
    'size' AS `part`,
    `t11`.`cohort`,
    CAST(0 AS BIGINT) AS `k`,
    `t11`.`customers`
  FROM (
    SELECT
      `t10`.`cohort`,
      COUNT(*) AS `customers`
    FROM (
      SELECT
        `t8`.`customer_id`,
        `t8`.`cohort`,
        `t8`.`p` - `t8`.`cohort` AS `k`
      FROM `t7` AS `t8`
      WHERE
        (
          `t8`.`p` - `t8`.`cohort`
        ) = 0
    ) AS `t10`
    GROUP BY
      1
  ) AS `t11`
) AS `t13`
UNION ALL
SELECT
  *
FROM (
  SELECT
    'cell' AS `part`,
    `t14`.`cohort`,
    `t14`.`k`,
    `t14`.`customers`
  FROM (
    SELECT
      `t12`.`cohort`,
      `t12`.`k`,
      COUNT(*) AS `customers`
    FROM (
      SELECT
        `t9`.`customer_id`,
        `t9`.`cohort`,
        MAX(`t9`.`k`) AS `k`
      FROM (
        SELECT
          `t8`.`customer_id`,
          `t8`.`cohort`,
          `t8`.`p` - `t8`.`cohort` AS `k`
        FROM `t7` AS `t8`
      ) AS `t9`
      GROUP BY
        1,
        2
    ) AS `t12`
    GROUP BY
      1,
      2
  ) AS `t14`
) AS `t15`
