SELECT
  `t8`.`customer_id`,
  MAX(IF(`t8`.`rank` = 0, `t8`.`score`, NULL)) AS `last`,
  MAX(IF(`t8`.`rank` = 1, `t8`.`score`, NULL)) AS `prev`
FROM (
  SELECT
    *
  FROM (
    SELECT
      `t6`.`id`,
      `t6`.`customer_id`,
      `t6`.`date`,
      `t6`.`channel`,
      `t6`.`score`,
      ROW_NUMBER() OVER (PARTITION BY `t6`.`customer_id` ORDER BY `t6`.`date` DESC, `t6`.`id` DESC) - 1 AS `rank`
    FROM (
      SELECT
        `t5`.`id`,
        `t5`.`customer_id`,
        `t5`.`date`,
        `t5`.`channel`,
        `t5`.`score`
      FROM (
        SELECT
          *
        FROM `feedback` AS `t0`
        WHERE
          LOWER(`t0`.`channel`) = 'nps'
          AND `t0`.`date` < DATE(2024, 7, 1)
          AND `t0`.`score` IS NOT NULL
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
