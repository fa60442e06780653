SELECT
  `t8`.`customer_id`,
  MAX(IF(`t8`.`rank` = 0, `t8`.`mrr`, NULL)) AS `last`,
  MAX(IF(`t8`.`rank` = 1, `t8`.`mrr`, NULL)) AS `prev`
FROM (
  SELECT
    *
  FROM (
    SELECT
      `t6`.`customer_id`,
      `t6`.`period`,
      `t6`.`mrr`,
      `t6`.`payment_failed`,
      `t6`.`id`,
      ROW_NUMBER() OVER (PARTITION BY `t6`.`customer_id` ORDER BY `t6`.`period` DESC, `t6`.`id` DESC) - 1 AS `rank`
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
          `t0`.`period` < DATE(2024, 7, 1) AND `t0`.`mrr` IS NOT NULL
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
  ) AS `t7`
  WHERE
    `t7`.`rank` < 2
) AS `t8`
GROUP BY
  1
