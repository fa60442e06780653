SELECT
  `t6`.`customer_id`,
  SUM(CAST((
    `t6`.`period` >= DATE(2024, 4, 2)
  ) AND `t6`.`payment_failed` AS INT64)) AS `failed`
FROM (
  SELECT
    `t5`.`customer_id`,
    `t5`.`period`,
    `t5`.`mrr`,
    `t5`.`payment_failed`,
    `t5`.`id`
  FROM (
    SELECT
      *
    FROM `revenue` AS `t0`
    WHERE
      `t0`.`payment_failed` IS NOT NULL AND `t0`.`period` < DATE(2024, 7, 1)
  ) AS `t5`
  WHERE
    EXISTS(
      SELECT
        1
      FROM (
        SELECT
          `t1`.`customer_id`,
          `t1`.`signup_date`,
          `t1`.`churn_date`
        FROM `customers` AS `t1`
      ) AS `t3`
      WHERE
        `t5`.`customer_id` = `t3`.`customer_id`
    )
) AS `t6`
GROUP BY
  1
