WITH `t14` AS (
  SELECT
    `t13`.`customer_id`,
    `t13`.`cohort`,
    `t13`.`k`,
    CAST(SUM(CAST(`t13`.`mrr` AS DECIMAL(38, 9))) AS DOUBLE) AS `mrr`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t7`.`customer_id`,
        `t11`.`cohort`,
        `t7`.`p` - `t11`.`cohort` AS `k`,
        `t7`.`mrr`
      FROM (
        SELECT
          `t0`.`customer_id`,
          CAST(FLOOR(
            (
              (
                (
                  (
                    EXTRACT(year FROM `t0`.`period`) - 1970
                  ) * 12
                ) + EXTRACT(month FROM `t0`.`period`)
              ) - 1
            ) / (
              3
            )
          ) AS BIGINT) AS `p`,
          `t0`.`mrr`
        FROM `revenue` AS `t0`
        WHERE
          `t0`.`mrr` IS NOT NULL AND NOT ISNAN(`t0`.`mrr`)
      ) AS `t7`
      INNER JOIN (
        SELECT
          `t9`.`customer_id`,
          MIN(`t9`.`p`) AS `cohort`
        FROM (
          SELECT
            `t8`.`customer_id`,
            `t8`.`p`
          FROM (
            SELECT DISTINCT
              `t1`.`customer_id`,
              CAST(FLOOR(
                (
                  (
                    (
                      (
                        EXTRACT(year FROM `t1`.`date`) - 1970
                      ) * 12
                    ) + EXTRACT(month FROM `t1`.`date`)
                  ) - 1
                ) / (
                  3
                )
              ) AS BIGINT) AS `p`
            FROM `activity` AS `t1`
          ) AS `t8`
          LEFT SEMI JOIN (
            SELECT
              `t2`.`customer_id`,
              `t2`.`signup_date`,
              `t2`.`churn_date`
            FROM `customers` AS `t2`
          ) AS `t4`
            ON `t8`.`customer_id` = `t4`.`customer_id`
        ) AS `t9`
        GROUP BY
          1
      ) AS `t11`
        ON `t7`.`customer_id` = `t11`.`customer_id`
    ) AS `t12`
    WHERE
      `t12`.`k` >= 0
  ) AS `t13`
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
    `t23`.`cohort`,
    `t23`.`k`,
    `t23`.`mrr`
  FROM (
    SELECT
      `t21`.`cohort`,
      `t21`.`k`,
      CAST(SUM(CAST(LEAST(`t21`.`mrr`, COALESCE(`t21`.`start`, 0.0)) AS DECIMAL(38, 9))) AS DOUBLE) AS `mrr`
    FROM (
      SELECT
        `t16`.`customer_id`,
        `t16`.`cohort`,
        `t16`.`k`,
        `t16`.`mrr`,
        `t19`.`customer_id` AS `customer_id_right`,
        `t19`.`start`
      FROM `t14` AS `t16`
      LEFT OUTER JOIN (
        SELECT
          `t15`.`customer_id`,
          `t15`.`mrr` AS `start`
        FROM `t14` AS `t15`
        WHERE
          `t15`.`k` = 0
      ) AS `t19`
        ON `t16`.`customer_id` = `t19`.`customer_id`
    ) AS `t21`
    GROUP BY
      1,
      2
  ) AS `t23`
) AS `t24`
UNION ALL
SELECT
  *
FROM (
  SELECT
    'den' AS `part`,
    `t20`.`cohort`,
    CAST(0 AS BIGINT) AS `k`,
    `t20`.`mrr`
  FROM (
    SELECT
      `t17`.`cohort`,
      CAST(SUM(CAST(`t17`.`mrr` AS DECIMAL(38, 9))) AS DOUBLE) AS `mrr`
    FROM (
      SELECT
        *
      FROM `t14` AS `t15`
      WHERE
        `t15`.`k` = 0
    ) AS `t17`
    GROUP BY
      1
  ) AS `t20`
) AS `t22`
