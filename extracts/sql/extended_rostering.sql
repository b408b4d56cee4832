-- Extended rostering: everything an app needs to build its classes for the current school
-- year, as ONE result set (a Data Extract Utility SQL extract writes exactly one file).
-- Each entity is one SELECT, all with the same eleven columns, stacked with UNION ALL;
-- recordType says which entity a row is:
--   school, calendar, term, course, section, sectionPlacement, roster (a student in a
--   section), student, staff, guardian, enrollment.
-- Columns: recordType, schoolNumber, sourcedId (the Campus id of the row's entity),
--   parentSourcedId (school for a calendar; calendar for a term, course or enrollment;
--   course for a section; section for a placement or roster row), personSourcedId (the
--   person a row is about: teacher of a section, student of a roster/enrollment/guardian
--   row), name, code, role, beginDate, endDate (yyyy-mm-dd), detail (an e-mail address
--   for students, staff and guardians). A sectionPlacement row places a section in a
--   term (sourcedId) and a period (code = period id, name = period name).
-- Why these limits: only the current school year (Infinite Campus names a year by the
-- calendar year it ends in, endYear, computed below from today's date, never a literal);
-- only primary enrollments (serviceType 'P'), without no-shows and state-excluded
-- enrollments, so students appear where the district counts them; only the active
-- scheduling trial, so draft schedules are not shared; guardians only (not every
-- emergency contact); no passwords, account names, addresses or notes.
-- Lines marked "assumption" use a table or column not confirmed against a Campus database.
WITH currentYear AS (
    SELECT CASE WHEN MONTH(GETDATE()) >= 7 THEN YEAR(GETDATE()) + 1 ELSE YEAR(GETDATE()) END AS endYear
),
currentCalendar AS (
    SELECT cal.calendarID, cal.schoolID, cal.name, cal.startDate, cal.endDate, -- assumption: Calendar.calendarID, schoolID, name, startDate, endDate
        sch.number AS schoolNumber -- assumption: School.number is the school's code
    FROM Calendar AS cal
    INNER JOIN currentYear AS cy ON cy.endYear = cal.endYear -- assumption: Calendar.endYear
    INNER JOIN School AS sch ON sch.schoolID = cal.schoolID -- assumption: School.schoolID
    WHERE ISNULL(cal.exclude, 0) = 0 -- assumption: Calendar.exclude marks calendars left out of reporting
),
currentEnrollment AS (
    SELECT e.enrollmentID, e.personID, e.calendarID, e.grade, e.startDate, e.endDate, -- assumption: Enrollment.enrollmentID, personID, calendarID, grade
        cc.schoolNumber
    FROM Enrollment AS e
    INNER JOIN currentYear AS cy ON cy.endYear = e.endYear
    INNER JOIN currentCalendar AS cc ON cc.calendarID = e.calendarID
    WHERE e.serviceType = 'P'
        AND ISNULL(e.noShow, 0) = 0 -- assumption: Enrollment.noShow
        AND ISNULL(e.stateExclude, 0) = 0 -- assumption: Enrollment.stateExclude
),
currentSection AS (
    SELECT s.sectionID, s.courseID, s.number, s.teacherPersonID, -- assumption: Section.sectionID, courseID, number, teacherPersonID
        c.name AS courseName, c.calendarID, -- assumption: Course.name, calendarID
        cc.schoolNumber
    FROM Section AS s
    INNER JOIN Course AS c ON c.courseID = s.courseID -- assumption: Course.courseID
    INNER JOIN currentCalendar AS cc ON cc.calendarID = c.calendarID
    INNER JOIN Trial AS tr ON tr.trialID = s.trialID AND tr.active = 1 -- assumption: Trial table (scheduling trials), Section.trialID, Trial.active
)
SELECT
    CAST('school' AS varchar(20)) AS recordType,
    CAST(sch.number AS varchar(20)) AS schoolNumber, -- assumption: School.number
    CAST(sch.schoolID AS varchar(40)) AS sourcedId,
    CAST(NULL AS varchar(40)) AS parentSourcedId,
    CAST(NULL AS varchar(40)) AS personSourcedId,
    CAST(sch.name AS varchar(200)) AS name, -- assumption: School.name
    CAST(sch.number AS varchar(50)) AS code,
    CAST(NULL AS varchar(30)) AS role,
    CAST(NULL AS varchar(10)) AS beginDate,
    CAST(NULL AS varchar(10)) AS endDate,
    CAST(NULL AS varchar(200)) AS detail
FROM School AS sch
WHERE sch.schoolID IN (SELECT cc.schoolID FROM currentCalendar AS cc)

UNION ALL

SELECT
    'calendar', cc.schoolNumber, CAST(cc.calendarID AS varchar(40)), CAST(cc.schoolID AS varchar(40)), NULL,
    cc.name, NULL, NULL,
    CONVERT(varchar(10), cc.startDate, 23), CONVERT(varchar(10), cc.endDate, 23), NULL
FROM currentCalendar AS cc

UNION ALL

SELECT
    'term', cc.schoolNumber, CAST(t.termID AS varchar(40)), CAST(cc.calendarID AS varchar(40)), NULL, -- assumption: Term.termID
    t.name, CAST(t.seq AS varchar(50)), NULL, -- assumption: Term.name, seq
    CONVERT(varchar(10), t.startDate, 23), CONVERT(varchar(10), t.endDate, 23), NULL -- assumption: Term.startDate, endDate
FROM Term AS t
INNER JOIN TermSchedule AS ts ON ts.termScheduleID = t.termScheduleID -- assumption: TermSchedule table, Term.termScheduleID
INNER JOIN ScheduleStructure AS ss ON ss.structureID = ts.structureID -- assumption: ScheduleStructure table (calendarID, structureID)
INNER JOIN currentCalendar AS cc ON cc.calendarID = ss.calendarID

UNION ALL

SELECT
    'course', cc.schoolNumber, CAST(c.courseID AS varchar(40)), CAST(cc.calendarID AS varchar(40)), NULL,
    c.name, CAST(c.number AS varchar(50)), NULL, -- assumption: Course.number is the course code
    NULL, NULL, NULL
FROM Course AS c
INNER JOIN currentCalendar AS cc ON cc.calendarID = c.calendarID

UNION ALL

SELECT
    'section', cs.schoolNumber, CAST(cs.sectionID AS varchar(40)), CAST(cs.courseID AS varchar(40)),
    CAST(cs.teacherPersonID AS varchar(40)),
    cs.courseName, CAST(cs.number AS varchar(50)), 'teacher',
    NULL, NULL, NULL
FROM currentSection AS cs

UNION ALL

SELECT
    'sectionPlacement', cs.schoolNumber, CAST(sp.termID AS varchar(40)), CAST(cs.sectionID AS varchar(40)), NULL, -- assumption: SectionPlacement.sectionID, termID
    p.name, CAST(p.periodID AS varchar(50)), NULL, -- assumption: SectionPlacement.periodID, Period.periodID, name
    NULL, NULL, NULL
FROM SectionPlacement AS sp
INNER JOIN currentSection AS cs ON cs.sectionID = sp.sectionID
INNER JOIN Period AS p ON p.periodID = sp.periodID

UNION ALL

SELECT
    'roster', cs.schoolNumber, CAST(r.rosterID AS varchar(40)), CAST(cs.sectionID AS varchar(40)), -- assumption: Roster.rosterID, sectionID
    CAST(r.personID AS varchar(40)), -- assumption: Roster.personID
    NULL, NULL, 'student',
    CONVERT(varchar(10), r.startDate, 23), CONVERT(varchar(10), r.endDate, 23), NULL -- assumption: Roster.startDate, endDate
FROM Roster AS r
INNER JOIN currentSection AS cs ON cs.sectionID = r.sectionID
WHERE r.personID IN (SELECT ce.personID FROM currentEnrollment AS ce)

UNION ALL

SELECT
    'student', NULL, CAST(p.personID AS varchar(40)), NULL, CAST(p.personID AS varchar(40)), -- assumption: Person.personID
    CONCAT(i.lastName, ', ', i.firstName), -- assumption: Identity.lastName, firstName
    CAST(p.studentNumber AS varchar(50)), 'student', -- assumption: Person.studentNumber
    NULL, NULL,
    CAST(ct.email AS varchar(200)) -- assumption: contact.personID, email (the student's own address)
FROM Person AS p
INNER JOIN [Identity] AS i ON i.identityID = p.currentIdentityID -- assumption: Identity.identityID
LEFT JOIN contact AS ct ON ct.personID = p.personID
WHERE p.personID IN (SELECT ce.personID FROM currentEnrollment AS ce)

UNION ALL

SELECT DISTINCT
    'staff', cc.schoolNumber, CAST(sm.personID AS varchar(40)), NULL, CAST(sm.personID AS varchar(40)), -- assumption: staffmember.personID
    CONCAT(sm.lastName, ', ', sm.firstName), -- assumption: staffmember.lastName, firstName
    CAST(sm.staffNumber AS varchar(50)), -- assumption: staffmember.staffNumber
    CASE WHEN sm.teacher = 1 THEN 'teacher' ELSE 'staff' END, -- assumption: staffmember.teacher flags teaching assignments
    NULL, NULL,
    CAST(ct.email AS varchar(200))
FROM staffmember AS sm
INNER JOIN (SELECT DISTINCT cal.schoolID, cal.schoolNumber FROM currentCalendar AS cal) AS cc ON cc.schoolID = sm.schoolID -- assumption: staffmember.schoolID
LEFT JOIN contact AS ct ON ct.personID = sm.personID
WHERE sm.endDate IS NULL OR sm.endDate >= CAST(GETDATE() AS date) -- assumption: staffmember.endDate ends an assignment

UNION ALL

SELECT DISTINCT
    'guardian', NULL, CAST(ccs.contactPersonID AS varchar(40)), NULL, CAST(ccs.personID AS varchar(40)), -- assumption: v_CensusContactSummary.contactPersonID, personID (the student)
    CONCAT(ccs.lastName, ', ', ccs.firstName), -- assumption: v_CensusContactSummary.lastName, firstName
    CAST(ccs.relationship AS varchar(50)), 'guardian', -- assumption: v_CensusContactSummary.relationship
    NULL, NULL,
    CAST(ccs.email AS varchar(200)) -- assumption: v_CensusContactSummary.email
FROM v_CensusContactSummary AS ccs
WHERE ccs.guardian = 1 -- assumption: v_CensusContactSummary.guardian
    AND ccs.relationship <> 'Self'
    AND ccs.personID IN (SELECT ce.personID FROM currentEnrollment AS ce)

UNION ALL

SELECT
    'enrollment', ce.schoolNumber, CAST(ce.enrollmentID AS varchar(40)), CAST(ce.calendarID AS varchar(40)),
    CAST(ce.personID AS varchar(40)),
    NULL, CAST(ce.grade AS varchar(50)), 'student',
    CONVERT(varchar(10), ce.startDate, 23), CONVERT(varchar(10), ce.endDate, 23), NULL
FROM currentEnrollment AS ce

ORDER BY recordType, schoolNumber, sourcedId, parentSourcedId, personSourcedId, role, code, name, beginDate, endDate, detail;
