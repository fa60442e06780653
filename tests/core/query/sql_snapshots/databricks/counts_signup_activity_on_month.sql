WITH `t7` AS (
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
  ) AS `t4`
  WHERE
    `t4`.`cohort` IS NOT NULL
)
SELECT
  *
FROM (
  SELECT
    'size' AS `part`,
    `t10`.`cohort`,
    CAST(0 AS BIGINT) AS `k`,
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
    `t14`.`cohort`,
    `t14`.`k`,
    `t14`.`customers`
  FROM (
    SELECT
      `t13`.`cohort`,
      `t13`.`k`,
      COUNT(*) AS `customers`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t6`.`customer_id`,
          `t9`.`cohort`,
          `t6`.`p` - `t9`.`cohort` AS `k`
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
        ) AS `t6`
        LEFT SEMI JOIN (
          SELECT
            `t0`.`customer_id`,
            `t0`.`signup_date`,
            `t0`.`churn_date`
          FROM `customers` AS `t0`
        ) AS `t3`
          ON `t6`.`customer_id` = `t3`.`customer_id`
        INNER JOIN `t7` AS `t9`
          ON `t6`.`customer_id` = `t9`.`customer_id`
      ) AS `t12`
      WHERE
        `t12`.`k` >= 0
    ) AS `t13`
    GROUP BY
      1,
      2
  ) AS `t14`
) AS `t15`
