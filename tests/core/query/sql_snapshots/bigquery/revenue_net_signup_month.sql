WITH `t9` AS (
  SELECT
    `t8`.`customer_id`,
    `t8`.`cohort`,
    `t8`.`k`,
    CAST(SUM(CAST(`t8`.`mrr` AS NUMERIC)) AS FLOAT64) AS `mrr`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t4`.`customer_id`,
        `t6`.`cohort`,
        `t4`.`p` - `t6`.`cohort` AS `k`,
        `t4`.`mrr`
      FROM (
        SELECT
          `t0`.`customer_id`,
          (
            (
              (
                EXTRACT(year FROM `t0`.`period`) - 1970
              ) * 12
            ) + EXTRACT(month FROM `t0`.`period`)
          ) - 1 AS `p`,
          `t0`.`mrr`
        FROM `revenue` AS `t0`
        WHERE
          `t0`.`mrr` IS NOT NULL
      ) AS `t4`
      INNER JOIN (
        SELECT
          *
        FROM (
          SELECT
            `t1`.`customer_id`,
            (
              (
                (
                  EXTRACT(year FROM `t1`.`signup_date`) - 1970
                ) * 12
              ) + EXTRACT(month FROM `t1`.`signup_date`)
            ) - 1 AS `cohort`
          FROM `customers` AS `t1`
        ) AS `t3`
        WHERE
          `t3`.`cohort` IS NOT NULL
      ) AS `t6`
        ON `t4`.`customer_id` = `t6`.`customer_id`
    ) AS `t7`
    WHERE
      `t7`.`k` >= 0
  ) AS `t8`
  GROUP BY
    1,
    2,
    3
)
SELECT
  *
FROM (
  SELECT
    'num' AS `part`,
    `t18`.`cohort`,
    `t18`.`k`,
    `t18`.`mrr`
  FROM (
    SELECT
      `t16`.`cohort`,
      `t16`.`k`,
      CAST(SUM(CAST(`t16`.`mrr` AS NUMERIC)) AS FLOAT64) AS `mrr`
    FROM (
      SELECT
        `t11`.`customer_id`,
        `t11`.`cohort`,
        `t11`.`k`,
        `t11`.`mrr`,
        `t14`.`customer_id` AS `customer_id_right`,
        `t14`.`start`
      FROM `t9` AS `t11`
      LEFT OUTER JOIN (
        SELECT
          `t10`.`customer_id`,
          `t10`.`mrr` AS `start`
        FROM `t9` AS `t10`
        WHERE
          `t10`.`k` = 0
      ) AS `t14`
        ON `t11`.`customer_id` = `t14`.`customer_id`
    ) AS `t16`
    GROUP BY
      1,
      2
  ) AS `t18`
) AS `t19`
UNION ALL
SELECT
  *
FROM (
  SELECT
    'den' AS `part`,
    `t15`.`cohort`,
    CAST(0 AS INT64) AS `k`,
    `t15`.`mrr`
  FROM (
    SELECT
      `t12`.`cohort`,
      CAST(SUM(CAST(`t12`.`mrr` AS NUMERIC)) AS FLOAT64) AS `mrr`
    FROM (
      SELECT
        *
      FROM `t9` AS `t10`
      WHERE
        `t10`.`k` = 0
    ) AS `t12`
    GROUP BY
      1
  ) AS `t15`
) AS `t17`
