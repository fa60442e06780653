SELECT
  `t1`.`label`,
  `t1`.`days`,
  `t1`.`event`,
  COUNT(*) AS `customers`
FROM (
  SELECT
    DATE_DIFF(
      IF(
        (
          `t0`.`churn_date` IS NOT NULL
        )
        AND (
          `t0`.`churn_date` <= DATE(2024, 5, 1)
        ),
        `t0`.`churn_date`,
        DATE(2024, 5, 1)
      ),
      `t0`.`signup_date`,
      DAY
    ) AS `days`,
    (
      `t0`.`churn_date` IS NOT NULL
    )
    AND (
      `t0`.`churn_date` <= DATE(2024, 5, 1)
    ) AS `event`,
    FORMAT_DATE('%Y-%m', `t0`.`signup_date`) AS `label`
  FROM `customers` AS `t0`
  WHERE
    `t0`.`signup_date` <= DATE(2024, 5, 1)
) AS `t1`
GROUP BY
  1,
  2,
  3
