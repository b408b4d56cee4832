-- Historical enrollment and grades: for each student enrolled this school year, every
-- primary enrollment of every year up to the current one, and every grade on their
-- transcript; recordType is 'enrollment' or 'grade'.
--   enrollment: school, grade level, start and end date of one enrollment.
--   grade:      one course grade from the transcript (the final, posted grade).
-- Why these limits: only students enrolled this year (a primary enrollment, serviceType
-- 'P', that is neither a no-show nor state-excluded), so the history of students who have
-- left the district is not shared; only primary enrollments in the history too; years up
-- to the current one (endYear computed from today's date, never a literal), so next
-- year's pre-enrollments stay out.
-- Lines marked "assumption" use a table or column not confirmed against a Campus database.
WITH currentYear AS (
    SELECT CASE WHEN MONTH(GETDATE()) >= 7 THEN YEAR(GETDATE()) + 1 ELSE YEAR(GETDATE()) END AS endYear
),
currentStudent AS (
    SELECT DISTINCT e.personID -- assumption: Enrollment.personID
    FROM Enrollment AS e
    INNER JOIN currentYear AS cy ON cy.endYear = e.endYear
    WHERE e.serviceType = 'P'
        AND ISNULL(e.noShow, 0) = 0 -- assumption: Enrollment.noShow
        AND ISNULL(e.stateExclude, 0) = 0 -- assumption: Enrollment.stateExclude
)
SELECT
    CAST('enrollment' AS varchar(10)) AS recordType,
    CAST(e.personID AS varchar(40)) AS personSourcedId,
    CAST(p.studentNumber AS varchar(50)) AS studentNumber, -- assumption: Person.personID, studentNumber
    e.endYear AS endYear,
    CAST(sch.number AS varchar(20)) AS schoolNumber, -- assumption: School.number is the school's code
    CAST(sch.name AS varchar(200)) AS schoolName, -- assumption: School.name
    CAST(e.grade AS varchar(10)) AS gradeLevel, -- assumption: Enrollment.grade
    CAST(e.enrollmentID AS varchar(40)) AS sourcedId, -- assumption: Enrollment.enrollmentID
    CONVERT(varchar(10), e.startDate, 23) AS beginDate,
    CONVERT(varchar(10), e.endDate, 23) AS endDate,
    CAST(NULL AS varchar(50)) AS courseNumber,
    CAST(NULL AS varchar(200)) AS courseName,
    CAST(NULL AS varchar(50)) AS term,
    CAST(NULL AS varchar(20)) AS score,
    CAST(NULL AS decimal(6, 3)) AS creditsEarned
FROM Enrollment AS e
INNER JOIN currentStudent AS cs ON cs.personID = e.personID
INNER JOIN currentYear AS cy ON e.endYear <= cy.endYear
INNER JOIN Person AS p ON p.personID = e.personID
INNER JOIN Calendar AS cal ON cal.calendarID = e.calendarID -- assumption: Calendar.calendarID, Enrollment.calendarID
INNER JOIN School AS sch ON sch.schoolID = cal.schoolID -- assumption: School.schoolID, Calendar.schoolID
WHERE e.serviceType = 'P'
    AND ISNULL(e.noShow, 0) = 0
    AND ISNULL(e.stateExclude, 0) = 0

UNION ALL

SELECT
    'grade',
    CAST(tc.personID AS varchar(40)), -- assumption: TranscriptCourse table (the posted transcript), TranscriptCourse.personID
    CAST(p.studentNumber AS varchar(50)),
    tc.endYear, -- assumption: TranscriptCourse.endYear
    CAST(tc.schoolNumber AS varchar(20)), -- assumption: TranscriptCourse.schoolNumber
    CAST(tc.schoolName AS varchar(200)), -- assumption: TranscriptCourse.schoolName
    CAST(tc.grade AS varchar(10)), -- assumption: TranscriptCourse.grade is the grade level when taken
    CAST(tc.transcriptID AS varchar(40)), -- assumption: TranscriptCourse.transcriptID
    NULL,
    NULL,
    CAST(tc.courseNumber AS varchar(50)), -- assumption: TranscriptCourse.courseNumber
    CAST(tc.courseName AS varchar(200)), -- assumption: TranscriptCourse.courseName
    CAST(tc.actualTerm AS varchar(50)), -- assumption: TranscriptCourse.actualTerm
    CAST(tc.score AS varchar(20)), -- assumption: TranscriptCourse.score is the final mark
    CAST(tc.creditsEarned AS decimal(6, 3)) -- assumption: TranscriptCourse.creditsEarned
FROM TranscriptCourse AS tc
INNER JOIN currentStudent AS cs ON cs.personID = tc.personID
INNER JOIN currentYear AS cy ON tc.endYear <= cy.endYear
INNER JOIN Person AS p ON p.personID = tc.personID

ORDER BY personSourcedId, endYear, recordType, schoolNumber, beginDate, courseNumber, term, sourcedId, score;
