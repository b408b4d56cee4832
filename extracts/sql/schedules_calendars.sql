-- Schedules and calendars: when school is in session this school year, as one result
-- set; recordType says what a row is:
--   calendar:       a school's calendar (sourcedId) with its school year label and dates.
--   day:            one instructional day of a calendar (beginDate), with the bell
--                   schedule it follows (parentSourcedId).
--   term:           a term of a calendar, with its sequence and dates.
--   periodSchedule: a bell schedule of a calendar (sourcedId).
--   period:         a period of a bell schedule (parentSourcedId), with its sequence and
--                   start and end times (hh:mm).
-- Why these limits: the current school year only (endYear computed from today's date,
-- never a literal), calendars that are not excluded from reporting, instructional days
-- only; no day comments.
-- Lines marked "assumption" use a table or column not confirmed against a Campus database.
WITH currentYear AS (
    SELECT CASE WHEN MONTH(GETDATE()) >= 7 THEN YEAR(GETDATE()) + 1 ELSE YEAR(GETDATE()) END AS endYear
),
currentCalendar AS (
    SELECT cal.calendarID, cal.name, cal.startDate, cal.endDate, -- assumption: Calendar.calendarID, name, startDate, endDate
        sch.number AS schoolNumber, -- assumption: School.number is the school's code
        sy.label AS schoolYearLabel -- assumption: SchoolYear.label
    FROM Calendar AS cal
    INNER JOIN currentYear AS cy ON cy.endYear = cal.endYear -- assumption: Calendar.endYear
    INNER JOIN School AS sch ON sch.schoolID = cal.schoolID -- assumption: School.schoolID, Calendar.schoolID
    LEFT JOIN SchoolYear AS sy ON sy.endYear = cal.endYear -- assumption: SchoolYear.endYear
    WHERE ISNULL(cal.exclude, 0) = 0 -- assumption: Calendar.exclude marks calendars left out of reporting
)
SELECT
    CAST('calendar' AS varchar(20)) AS recordType,
    CAST(cc.schoolNumber AS varchar(20)) AS schoolNumber,
    CAST(cc.calendarID AS varchar(40)) AS calendarSourcedId,
    CAST(cc.calendarID AS varchar(40)) AS sourcedId,
    CAST(NULL AS varchar(40)) AS parentSourcedId,
    CAST(cc.name AS varchar(200)) AS name,
    CAST(cc.schoolYearLabel AS varchar(50)) AS code,
    CAST(NULL AS int) AS seq,
    CONVERT(varchar(10), cc.startDate, 23) AS beginDate,
    CONVERT(varchar(10), cc.endDate, 23) AS endDate,
    CAST(NULL AS varchar(5)) AS startTime,
    CAST(NULL AS varchar(5)) AS endTime
FROM currentCalendar AS cc

UNION ALL

SELECT
    'day', cc.schoolNumber, CAST(cc.calendarID AS varchar(40)),
    CAST(d.dayID AS varchar(40)), -- assumption: Day table (one row per calendar day), Day.dayID, calendarID
    CAST(d.periodScheduleID AS varchar(40)), -- assumption: Day.periodScheduleID
    NULL, NULL, NULL,
    CONVERT(varchar(10), d.[date], 23), CONVERT(varchar(10), d.[date], 23), -- assumption: Day.date
    NULL, NULL
FROM [Day] AS d
INNER JOIN currentCalendar AS cc ON cc.calendarID = d.calendarID
WHERE d.instruction = 1 -- assumption: Day.instruction marks instructional days

UNION ALL

SELECT
    'term', cc.schoolNumber, CAST(cc.calendarID AS varchar(40)),
    CAST(t.termID AS varchar(40)), CAST(cc.calendarID AS varchar(40)), -- assumption: Term.termID
    t.name, NULL, t.seq, -- assumption: Term.name, seq
    CONVERT(varchar(10), t.startDate, 23), CONVERT(varchar(10), t.endDate, 23), -- assumption: Term.startDate, endDate
    NULL, NULL
FROM Term AS t
INNER JOIN TermSchedule AS ts ON ts.termScheduleID = t.termScheduleID -- assumption: TermSchedule table, Term.termScheduleID
INNER JOIN ScheduleStructure AS ss ON ss.structureID = ts.structureID -- assumption: ScheduleStructure table (calendarID, structureID)
INNER JOIN currentCalendar AS cc ON cc.calendarID = ss.calendarID

UNION ALL

SELECT
    'periodSchedule', cc.schoolNumber, CAST(cc.calendarID AS varchar(40)),
    CAST(ps.periodScheduleID AS varchar(40)), CAST(cc.calendarID AS varchar(40)), -- assumption: PeriodSchedule table, periodScheduleID
    ps.name, NULL, NULL, -- assumption: PeriodSchedule.name
    NULL, NULL, NULL, NULL
FROM PeriodSchedule AS ps
INNER JOIN ScheduleStructure AS ss ON ss.structureID = ps.structureID -- assumption: PeriodSchedule.structureID
INNER JOIN currentCalendar AS cc ON cc.calendarID = ss.calendarID

UNION ALL

SELECT
    'period', cc.schoolNumber, CAST(cc.calendarID AS varchar(40)),
    CAST(p.periodID AS varchar(40)), CAST(ps.periodScheduleID AS varchar(40)), -- assumption: Period.periodID, periodScheduleID
    p.name, NULL, p.seq, -- assumption: Period.name, seq
    NULL, NULL,
    CONVERT(varchar(5), p.startTime, 108), CONVERT(varchar(5), p.endTime, 108) -- assumption: Period.startTime, endTime
FROM Period AS p
INNER JOIN PeriodSchedule AS ps ON ps.periodScheduleID = p.periodScheduleID
INNER JOIN ScheduleStructure AS ss ON ss.structureID = ps.structureID
INNER JOIN currentCalendar AS cc ON cc.calendarID = ss.calendarID

ORDER BY schoolNumber, calendarSourcedId, recordType, beginDate, parentSourcedId, seq, startTime, sourcedId;
