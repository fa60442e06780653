SELECT
  `t0`.`key`,
  COUNT(*) AS `verbatims`
FROM `verbatims` AS `t0`
GROUP BY
  1
