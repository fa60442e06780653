SELECT
  `t11`.`cutoff`,
  `t11`.`customer_id`,
  CAST(SUM(IF((
    `t11`.`ago` >= 0
  ) AND (
    `t11`.`ago` < 30
  ), `t11`.`amount`, NULL)) AS FLOAT64) AS `recent`,
  CAST(SUM(IF((
    `t11`.`ago` >= 90
  ) AND (
    `t11`.`ago` < 120
  ), `t11`.`amount`, NULL)) AS FLOAT64) AS `before`,
  SUM(CAST((
    `t11`.`ago` >= 0
  ) AND (
    `t11`.`ago` < 30
  ) AS INT64)) AS `active_days`,
  MIN(`t11`.`ago`) AS `since`
FROM (
  SELECT
    `t10`.`customer_id`,
    `t10`.`date`,
    `t10`.`amount`,
    `t10`.`cutoff`,
    `t10`.`next_day`,
    `t10`.`year_before`,
    `t10`.`day_90`,
    `t10`.`months_3`,
    `t10`.`next_stamp`,
    `t10`.`stamp_90`,
    `t10`.`stamp_180`,
    DATE_DIFF(`t10`.`cutoff`, `t10`.`date`, DAY) AS `ago`
  FROM (
    SELECT
      `t9`.`customer_id`,
      `t9`.`date`,
      `t9`.`amount`,
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
        `t7`.`customer_id`,
        `t7`.`date`,
        SUM(CAST(`t7`.`value` AS NUMERIC)) AS `amount`
      FROM (
        SELECT
          `t4`.`customer_id`,
          `t4`.`date`,
          `t4`.`value`
        FROM `activity` AS `t4`
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
              `t4`.`customer_id` = `t6`.`customer_id`
          )
      ) AS `t7`
      GROUP BY
        1,
        2
    ) AS `t9`
    INNER JOIN `cutoffs` AS `t3`
      ON `t9`.`date` > `t3`.`year_before` AND `t9`.`date` <= `t3`.`cutoff`
  ) AS `t10`
) AS `t11`
GROUP BY
  1,
  2
