WITH `t5` AS (
  SELECT
    `t2`.`id`,
    `t2`.`customer_id`,
    `t2`.`opened`,
    `t2`.`resolved`
  FROM `tickets` AS `t2`
  LEFT SEMI JOIN (
    SELECT
      `t1`.`customer_id`,
      `t1`.`signup_date`,
      `t1`.`churn_date`
    FROM `customers` AS `t1`
  ) AS `t4`
    ON `t2`.`customer_id` = `t4`.`customer_id`
)
SELECT
  `t11`.`customer_id`,
  `t11`.`n`,
  `t11`.`unresolved`,
  `t15`.`median` AS `hours`
FROM (
  SELECT
    `t7`.`customer_id`,
    SUM(CAST(`t7`.`opened` >= CAST('2024-04-02T00:00:00' AS TIMESTAMP) AS INT)) AS `n`,
    SUM(
      CAST((
        `t7`.`opened` >= CAST('2024-04-02T00:00:00' AS TIMESTAMP)
      )
      AND (
        (
          `t7`.`resolved` IS NULL
        )
        OR (
          `t7`.`resolved` >= CAST('2024-07-01T00:00:00' AS TIMESTAMP)
        )
      ) AS INT)
    ) AS `unresolved`
  FROM (
    SELECT
      *
    FROM `t5` AS `t6`
    WHERE
      `t6`.`opened` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
  ) AS `t7`
  GROUP BY
    1
) AS `t11`
LEFT OUTER JOIN (
  SELECT
    `t13`.`customer_id`,
    AVG(`t13`.`v`) AS `median`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        `t9`.`customer_id`,
        `t9`.`v`,
        ROW_NUMBER() OVER (PARTITION BY `t9`.`customer_id` ORDER BY `t9`.`v` ASC NULLS LAST) - 1 AS `k`,
        COUNT(`t9`.`v`) OVER (
          PARTITION BY `t9`.`customer_id`
          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) AS `n`
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t6`.`customer_id`,
            TRY_DIVIDE(
              UNIX_TIMESTAMP(CAST(`t6`.`resolved` AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(`t6`.`opened` AS TIMESTAMP)),
              3600
            ) AS `v`
          FROM `t5` AS `t6`
          WHERE
            `t6`.`opened` < CAST('2024-07-01T00:00:00' AS TIMESTAMP)
            AND NOT (
              (
                `t6`.`resolved` IS NULL
              )
              OR (
                `t6`.`resolved` >= CAST('2024-07-01T00:00:00' AS TIMESTAMP)
              )
            )
            AND `t6`.`resolved` >= CAST('2024-01-03T00:00:00' AS TIMESTAMP)
        ) AS `t8`
        WHERE
          `t8`.`v` IS NOT NULL AND NOT ISNAN(`t8`.`v`)
      ) AS `t9`
    ) AS `t12`
    WHERE
      (
        `t12`.`k` = CAST(FLOOR((
          `t12`.`n` - 1
        ) / (
          2
        )) AS BIGINT)
      )
      OR (
        `t12`.`k` = CAST(FLOOR((
          `t12`.`n`
        ) / (
          2
        )) AS BIGINT)
      )
  ) AS `t13`
  GROUP BY
    1
) AS `t15`
  ON `t11`.`customer_id` = `t15`.`customer_id`
