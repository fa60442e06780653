SELECT
  `t1`.`label`,
  `t1`.`days`,
  `t1`.`event`,
  COUNT(*) AS `customers`
FROM (
  SELECT
    DATEDIFF(
      DAY,
      `t0`.`signup_date`,
      IF(
        (
          `t0`.`churn_date` IS NOT NULL
        )
        AND (
          `t0`.`churn_date` <= MAKE_DATE(2024, 5, 1)
        ),
        `t0`.`churn_date`,
        MAKE_DATE(2024, 5, 1)
      )
    ) AS `days`,
    (
      `t0`.`churn_date` IS NOT NULL
    )
    AND (
      `t0`.`churn_date` <= MAKE_DATE(2024, 5, 1)
    ) AS `event`,
    DATE_FORMAT(`t0`.`signup_date`, 'yyyy-MM') AS `label`
  FROM `customers` AS `t0`
  WHERE
    `t0`.`signup_date` <= MAKE_DATE(2024, 5, 1)
) AS `t1`
GROUP BY
  1,
  2,
  3
