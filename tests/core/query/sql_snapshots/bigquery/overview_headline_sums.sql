WITH `t5` AS (
  SELECT
    `t1`.`customer_id`,
    `t1`.`signup_date`,
    `t1`.`churn_date`
  FROM `customers` AS `t1`
), `t15` AS (
  SELECT
    `t14`.`customer_id`,
    `t14`.`m`,
    SUM(CAST(`t14`.`mrr` AS NUMERIC)) AS `x`
  FROM (
    SELECT
      `t10`.`customer_id`,
      `t10`.`mrr`,
      (
        (
          (
            EXTRACT(year FROM `t10`.`period`) - 1970
          ) * 12
        ) + EXTRACT(month FROM `t10`.`period`)
      ) - 1 AS `m`
    FROM (
      SELECT
        *
      FROM `revenue` AS `t2`
      WHERE
        `t2`.`mrr` IS NOT NULL
    ) AS `t10`
    WHERE
      EXISTS(
        SELECT
          1
        FROM `t5` AS `t9`
        WHERE
          `t10`.`customer_id` = `t9`.`customer_id`
      )
  ) AS `t14`
  GROUP BY
    1,
    2
)
SELECT
  `t3`.`m`,
  `t26`.`base`,
  `t26`.`now`,
  `t26`.`kept`,
  `t24`.`mrr`,
  `t24`.`paying_mrr`,
  `t24`.`paying`
FROM `months` AS `t3`
LEFT OUTER JOIN (
  SELECT
    `t23`.`m`,
    CAST(SUM(`t23`.`base`) AS FLOAT64) AS `base`,
    CAST(SUM(`t23`.`now`) AS FLOAT64) AS `now`,
    CAST(SUM(LEAST(`t23`.`base`, `t23`.`now`)) AS FLOAT64) AS `kept`
  FROM (
    SELECT
      COALESCE(`t13`.`m`, `t21`.`m`) AS `m`,
      COALESCE(`t18`.`x`, CAST(0 AS NUMERIC)) AS `base`,
      COALESCE(`t21`.`now`, CAST(0 AS NUMERIC)) AS `now`
    FROM (
      SELECT
        `t11`.`customer_id`,
        `t11`.`m`,
        `t11`.`base_m`
      FROM (
        SELECT
          `t8`.`customer_id`,
          `t8`.`signup_date`,
          `t8`.`churn_date`,
          `t4`.`m`,
          `t4`.`base_m`,
          `t4`.`day_before`
        FROM `t5` AS `t8`
        CROSS JOIN `months` AS `t4`
      ) AS `t11`
      WHERE
        `t11`.`signup_date` <= `t11`.`day_before`
        AND (
          (
            `t11`.`churn_date` IS NULL
          ) OR (
            `t11`.`churn_date` > `t11`.`day_before`
          )
        )
    ) AS `t13`
    INNER JOIN `t15` AS `t18`
      ON `t13`.`customer_id` = `t18`.`customer_id` AND `t13`.`base_m` = `t18`.`m`
    FULL OUTER JOIN (
      SELECT
        `t13`.`customer_id`,
        `t13`.`m`,
        `t18`.`x` AS `now`
      FROM (
        SELECT
          `t11`.`customer_id`,
          `t11`.`m`,
          `t11`.`base_m`
        FROM (
          SELECT
            `t8`.`customer_id`,
            `t8`.`signup_date`,
            `t8`.`churn_date`,
            `t4`.`m`,
            `t4`.`base_m`,
            `t4`.`day_before`
          FROM `t5` AS `t8`
          CROSS JOIN `months` AS `t4`
        ) AS `t11`
        WHERE
          `t11`.`signup_date` <= `t11`.`day_before`
          AND (
            (
              `t11`.`churn_date` IS NULL
            ) OR (
              `t11`.`churn_date` > `t11`.`day_before`
            )
          )
      ) AS `t13`
      INNER JOIN `t15` AS `t18`
        ON `t13`.`customer_id` = `t18`.`customer_id` AND `t13`.`m` = `t18`.`m`
    ) AS `t21`
      ON `t13`.`customer_id` = `t21`.`customer_id` AND `t13`.`m` = `t21`.`m`
  ) AS `t23`
  GROUP BY
    1
) AS `t26`
  ON `t3`.`m` = `t26`.`m`
LEFT OUTER JOIN (
  SELECT
    `t19`.`m`,
    CAST(SUM(`t19`.`x`) AS FLOAT64) AS `mrr`,
    CAST(SUM(IF(`t19`.`x` > 0, `t19`.`x`, NULL)) AS FLOAT64) AS `paying_mrr`,
    SUM(CAST(`t19`.`x` > 0 AS INT64)) AS `paying`
  FROM (
    SELECT
      `t17`.`customer_id`,
      `t17`.`m`,
      `t17`.`x`
    FROM `t15` AS `t17`
    WHERE
      EXISTS(
        SELECT
          1
        FROM `months` AS `t4`
        WHERE
          `t17`.`m` = `t4`.`m`
      )
  ) AS `t19`
  GROUP BY
    1
) AS `t24`
  ON `t3`.`m` = `t24`.`m`
