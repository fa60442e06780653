SELECT
  `t14`.`gap`,
  COUNT(*) AS `n`
FROM (
  SELECT
    `t13`.`day` - `t13`.`before` AS `gap`
  FROM (
    SELECT
      `t12`.`customer_id`,
      `t12`.`day`,
      LAG(`t12`.`day`) OVER (PARTITION BY `t12`.`customer_id` ORDER BY `t12`.`day` ASC NULLS LAST) AS `before`
    FROM (
      SELECT
        `t11`.`customer_id`,
        DATEDIFF(DAY, MAKE_DATE(1970, 1, 1), `t11`.`date`) AS `day`
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t3`.`customer_id`,
            `t3`.`date`
          FROM `purchases` AS `t3`
          LEFT SEMI JOIN (
            SELECT
              `t1`.`customer_id`,
              `t1`.`signup_date`,
              `t1`.`churn_date`
            FROM `customers` AS `t1`
          ) AS `t5`
            ON `t3`.`customer_id` = `t5`.`customer_id`
        ) AS `t8`
        UNION
        SELECT
          *
        FROM (
          SELECT
            `t9`.`customer_id`,
            `t9`.`date`
          FROM (
            SELECT
              `t7`.`customer_id`,
              `t7`.`period` AS `date`,
              `t7`.`amount`,
              (
                `t7`.`amount` > 0
              ) AND NOT (
                COALESCE(`t7`.`is_return`, FALSE)
              ) AS `sold`
            FROM (
              SELECT
                *
              FROM `revenue` AS `t2`
              WHERE
                (
                  `t2`.`mrr` IS NULL OR ISNAN(`t2`.`mrr`)
                )
                AND (
                  `t2`.`amount` IS NOT NULL AND NOT ISNAN(`t2`.`amount`)
                )
            ) AS `t7`
            LEFT SEMI JOIN (
              SELECT
                `t1`.`customer_id`,
                `t1`.`signup_date`,
                `t1`.`churn_date`
              FROM `customers` AS `t1`
            ) AS `t5`
              ON `t7`.`customer_id` = `t5`.`customer_id`
          ) AS `t9`
          WHERE
            `t9`.`sold`
        ) AS `t10`
      ) AS `t11`
    ) AS `t12`
  ) AS `t13`
  WHERE
    `t13`.`before` IS NOT NULL
) AS `t14`
GROUP BY
  1
