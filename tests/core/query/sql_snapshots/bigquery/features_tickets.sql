WITH `t7` AS (
  SELECT
    `t3`.`id`,
    `t3`.`customer_id`,
    `t3`.`opened`,
    `t3`.`resolved`,
    `t4`.`cutoff`,
    `t4`.`next_day`,
    `t4`.`year_before`,
    `t4`.`day_90`,
    `t4`.`months_3`,
    `t4`.`next_stamp`,
    `t4`.`stamp_90`,
    `t4`.`stamp_180`
  FROM `tickets` AS `t3`
  INNER JOIN `cutoffs` AS `t4`
    ON `t3`.`opened` < `t4`.`next_stamp`
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
        `t3`.`customer_id` = `t6`.`customer_id`
    )
)
SELECT
  `t11`.`cutoff`,
  `t11`.`customer_id`,
  `t11`.`n`,
  `t11`.`unresolved`,
  `t16`.`median` AS `hours`
FROM (
  SELECT
    `t8`.`cutoff`,
    `t8`.`customer_id`,
    SUM(CAST(`t8`.`opened` >= `t8`.`stamp_90` AS INT64)) AS `n`,
    SUM(
      CAST((
        `t8`.`opened` >= `t8`.`stamp_90`
      )
      AND (
        (
          `t8`.`resolved` IS NULL
        ) OR (
          `t8`.`resolved` >= `t8`.`next_stamp`
        )
      ) AS INT64)
    ) AS `unresolved`
  FROM `t7` AS `t8`
  GROUP BY
    1,
    2
) AS `t11`
LEFT OUTER JOIN (
  SELECT
    `t14`.`cutoff`,
    `t14`.`customer_id`,
    AVG(`t14`.`v`) AS `median`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t12`.`cutoff`,
        `t12`.`customer_id`,
        `t12`.`v`,
        ROW_NUMBER() OVER (PARTITION BY `t12`.`cutoff`, `t12`.`customer_id` ORDER BY `t12`.`v` ASC) - 1 AS `k`,
        COUNT(`t12`.`v`) OVER (
          PARTITION BY `t12`.`cutoff`, `t12`.`customer_id`
          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) AS `n`
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t8`.`cutoff`,
            `t8`.`customer_id`,
            ieee_divide(UNIX_SECONDS(`t8`.`resolved`) - UNIX_SECONDS(`t8`.`opened`), 3600) AS `v`
          FROM `t7` AS `t8`
          WHERE
            NOT (
              (
                `t8`.`resolved` IS NULL
              ) OR (
                `t8`.`resolved` >= `t8`.`next_stamp`
              )
            )
            AND `t8`.`resolved` >= `t8`.`stamp_180`
        ) AS `t9`
        WHERE
          `t9`.`v` IS NOT NULL
      ) AS `t12`
    ) AS `t13`
    WHERE
      (
        `t13`.`k` = CAST(FLOOR(ieee_divide(`t13`.`n` - 1, 2)) AS INT64)
      )
      OR (
        `t13`.`k` = CAST(FLOOR(ieee_divide(`t13`.`n`, 2)) AS INT64)
      )
  ) AS `t14`
  GROUP BY
    1,
    2
) AS `t16`
  ON `t11`.`cutoff` = `t16`.`cutoff` AND `t11`.`customer_id` = `t16`.`customer_id`
