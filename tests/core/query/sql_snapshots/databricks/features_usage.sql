SELECT
  `t7`.`customer_id`,
  CAST(SUM(
    IF(
      (
        `t7`.`ago` >= 0
      ) AND (
        `t7`.`ago` < 30
      ),
      CAST(`t7`.`value` AS DECIMAL(38, 9)),
      NULL
    )
  ) AS DOUBLE) AS `recent`,
  CAST(SUM(
    IF(
      (
        `t7`.`ago` >= 90
      ) AND (
        `t7`.`ago` < 120
      ),
      CAST(`t7`.`value` AS DECIMAL(38, 9)),
      NULL
    )
  ) AS DOUBLE) AS `before`,
  COUNT(DISTINCT IF((
    `t7`.`ago` >= 0
  ) AND (
    `t7`.`ago` < 30
  ), `t7`.`date`, NULL)) AS `active_days`,
  MIN(`t7`.`ago`) AS `since`
FROM (
  SELECT
    *
  FROM (
    SELECT
      `t5`.`customer_id`,
      `t5`.`date`,
      `t5`.`value`,
      DATEDIFF(DAY, `t5`.`date`, MAKE_DATE(2024, 6, 30)) AS `ago`
    FROM (
      SELECT
        `t2`.`customer_id`,
        `t2`.`date`,
        `t2`.`value`
      FROM `activity` AS `t2`
      LEFT SEMI JOIN (
        SELECT
          `t1`.`customer_id`,
          `t1`.`signup_date`,
          `t1`.`churn_date`
        FROM `customers` AS `t1`
      ) AS `t4`
        ON `t2`.`customer_id` = `t4`.`customer_id`
    ) AS `t5`
  ) AS `t6`
  WHERE
    `t6`.`ago` >= 0 AND `t6`.`ago` < 365
) AS `t7`
GROUP BY
  1
