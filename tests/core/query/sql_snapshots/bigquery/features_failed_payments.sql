SELECT
  `t8`.`cutoff`,
  `t8`.`customer_id`,
  SUM(CAST((
    `t8`.`period` >= `t8`.`day_90`
  ) AND `t8`.`payment_failed` AS INT64)) AS `failed`
FROM (
  SELECT
    `t7`.`customer_id`,
    `t7`.`period`,
    `t7`.`mrr`,
    `t7`.`payment_failed`,
    `t7`.`id`,
    `t3`.`cutoff`,
    `t3`.`next_day`,
    `t3`.`year_before`,
    `t3`.`day_90`,
    `t3`.`months_3`,
    `t3`.`next_stamp`,
    `t3`.`stamp_90`,
    `t3`.`stamp_180`
  FROM (
    SELECT
      *
    FROM `revenue` AS `t0`
    WHERE
      `t0`.`payment_failed` IS NOT NULL
  ) AS `t7`
  INNER JOIN `cutoffs` AS `t3`
    ON `t7`.`period` < `t3`.`next_day`
  WHERE
    EXISTS(
      SELECT
        1
      FROM (
        SELECT
          `t2`.`customer_id`,
          `t2`.`signup_date`,
          `t2`.`churn_date`
        FROM `customers` AS `t2`
      ) AS `t6`
      WHERE
        `t7`.`customer_id` = `t6`.`customer_id`
    )
) AS `t8`
GROUP BY
  1,
  2
