-- Attendance: daily and class-period attendance of the current school year, up to today,
-- as one result set; recordType is 'daily' or 'period'.
--   daily:  one row per student and school day, from v_AttDayDetail_Federal (the day as
--           Campus counts it for federal reporting): absentDay and unexcusedAbsentDay.
--   period: one row per attendance event (absence, tardy, early release) recorded in a
--           class period, with its attendance code, status and excuse; sourcedId is
--           the Campus id of the event.
-- Why these limits: the current school year only (endYear computed from today's date,
-- never a literal); only students with a primary enrollment (serviceType 'P') in that
-- calendar that is neither a no-show nor state-excluded; no attendance comments, which
-- are free text and may hold health or family details.
-- Lines marked "assumption" use a table or column not confirmed against a Campus database.
WITH currentYear AS (
    SELECT CASE WHEN MONTH(GETDATE()) >= 7 THEN YEAR(GETDATE()) + 1 ELSE YEAR(GETDATE()) END AS endYear
),
currentEnrollment AS (
    SELECT DISTINCT e.personID, e.calendarID, -- assumption: Enrollment.personID, calendarID
        sch.number AS schoolNumber -- assumption: School.number is the school's code
    FROM Enrollment AS e
    INNER JOIN currentYear AS cy ON cy.endYear = e.endYear
    INNER JOIN Calendar AS cal ON cal.calendarID = e.calendarID -- assumption: Calendar.calendarID
    INNER JOIN School AS sch ON sch.schoolID = cal.schoolID -- assumption: School.schoolID, Calendar.schoolID
    WHERE e.serviceType = 'P'
        AND ISNULL(e.noShow, 0) = 0 -- assumption: Enrollment.noShow
        AND ISNULL(e.stateExclude, 0) = 0 -- assumption: Enrollment.stateExclude
        AND ISNULL(cal.exclude, 0) = 0 -- assumption: Calendar.exclude marks calendars left out of reporting
)
SELECT
    CAST('daily' AS varchar(10)) AS recordType,
    ce.schoolNumber AS schoolNumber,
    CAST(ce.calendarID AS varchar(40)) AS calendarSourcedId,
    CAST(ce.personID AS varchar(40)) AS personSourcedId,
    CONVERT(varchar(10), d.[date], 23) AS attendanceDate, -- assumption: v_AttDayDetail_Federal.personID, calendarID, date
    CAST(NULL AS varchar(40)) AS periodSourcedId,
    CAST(NULL AS varchar(50)) AS periodName,
    CAST(NULL AS varchar(40)) AS sectionSourcedId,
    CAST(NULL AS varchar(20)) AS code,
    CAST(NULL AS varchar(10)) AS status,
    CAST(NULL AS varchar(10)) AS excuse,
    CAST(d.absentDay AS decimal(5, 2)) AS absentDay, -- assumption: v_AttDayDetail_Federal.absentDay (fraction of the day absent)
    CAST(d.unexcusedAbsentDay AS decimal(5, 2)) AS unexcusedAbsentDay, -- assumption: v_AttDayDetail_Federal.unexcusedAbsentDay
    CAST(NULL AS varchar(40)) AS sourcedId
FROM v_AttDayDetail_Federal AS d
INNER JOIN currentEnrollment AS ce ON ce.personID = d.personID AND ce.calendarID = d.calendarID
WHERE d.[date] <= CAST(GETDATE() AS date)

UNION ALL

SELECT
    'period',
    ce.schoolNumber,
    CAST(ce.calendarID AS varchar(40)),
    CAST(ce.personID AS varchar(40)),
    CONVERT(varchar(10), a.[date], 23), -- assumption: Attendance table (one row per event), Attendance.personID, calendarID, date
    CAST(a.periodID AS varchar(40)), -- assumption: Attendance.periodID
    p.name, -- assumption: Period.periodID, name
    CAST(a.sectionID AS varchar(40)), -- assumption: Attendance.sectionID
    ax.code, -- assumption: AttendanceExcuse table, Attendance.excuseID, AttendanceExcuse.excuseID, code
    ax.status, -- assumption: AttendanceExcuse.status (A absent, T tardy, E early release)
    ax.excuse, -- assumption: AttendanceExcuse.excuse (E excused, U unexcused, X exempt)
    NULL,
    NULL,
    CAST(a.attendanceID AS varchar(40)) -- assumption: Attendance.attendanceID
FROM Attendance AS a
INNER JOIN currentEnrollment AS ce ON ce.personID = a.personID AND ce.calendarID = a.calendarID
LEFT JOIN Period AS p ON p.periodID = a.periodID
LEFT JOIN AttendanceExcuse AS ax ON ax.excuseID = a.excuseID
WHERE a.[date] <= CAST(GETDATE() AS date)

ORDER BY recordType, schoolNumber, personSourcedId, attendanceDate, periodName, periodSourcedId, sectionSourcedId, code, calendarSourcedId, status, excuse, sourcedId;
