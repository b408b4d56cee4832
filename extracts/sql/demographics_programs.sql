-- Demographics and programs: one row per student enrolled this school year, with the
-- demographic fields and program participation an app needs to report on or support
-- student groups (special education, English learners, gifted, school meals).
-- Why these limits: only students with a primary enrollment (serviceType 'P') in the
-- current school year (endYear computed from today's date, never a literal) that is
-- neither a no-show nor state-excluded; the school and grade come from the student's
-- latest such enrollment; special education, gifted and meal eligibility count only
-- when active today, English learner status is the latest record with its exit date;
-- no addresses, no identifiers beyond the student and state numbers, no disability or
-- plan details (only the special education status). Meal eligibility is protected by the
-- National School Lunch Act: the district should share it only when the app's use is
-- permitted.
-- Lines marked "assumption" use a table or column not confirmed against a Campus database.
WITH currentYear AS (
    SELECT CASE WHEN MONTH(GETDATE()) >= 7 THEN YEAR(GETDATE()) + 1 ELSE YEAR(GETDATE()) END AS endYear
),
latestEnrollment AS (
    SELECT e.personID, e.grade, sch.number AS schoolNumber, -- assumption: Enrollment.personID, grade; School.number is the school's code
        ROW_NUMBER() OVER (PARTITION BY e.personID ORDER BY e.startDate DESC, e.enrollmentID DESC) AS rowNumber -- assumption: Enrollment.enrollmentID
    FROM Enrollment AS e
    INNER JOIN currentYear AS cy ON cy.endYear = e.endYear
    INNER JOIN Calendar AS cal ON cal.calendarID = e.calendarID -- assumption: Calendar.calendarID, Enrollment.calendarID
    INNER JOIN School AS sch ON sch.schoolID = cal.schoolID -- assumption: School.schoolID, Calendar.schoolID
    WHERE e.serviceType = 'P'
        AND ISNULL(e.noShow, 0) = 0 -- assumption: Enrollment.noShow
        AND ISNULL(e.stateExclude, 0) = 0 -- assumption: Enrollment.stateExclude
),
currentSpecialEd AS (
    SELECT se.personID, se.status, -- assumption: SpecialEdState.personID, status
        ROW_NUMBER() OVER (PARTITION BY se.personID ORDER BY se.startDate DESC, se.status) AS rowNumber -- assumption: SpecialEdState.startDate
    FROM SpecialEdState AS se
    WHERE se.startDate <= CAST(GETDATE() AS date)
        AND (se.endDate IS NULL OR se.endDate >= CAST(GETDATE() AS date)) -- assumption: SpecialEdState.endDate
),
currentLep AS (
    SELECT l.personID, l.programStatus, l.identifiedDate, l.exitDate, -- assumption: LEP.personID, programStatus, identifiedDate, exitDate
        ROW_NUMBER() OVER (PARTITION BY l.personID ORDER BY l.identifiedDate DESC, l.programStatus) AS rowNumber
    FROM LEP AS l
),
currentMeals AS (
    SELECT pe.personID, pe.eligibility, -- assumption: POSEligibility table (meal eligibility), personID, eligibility (F free, R reduced, S paid)
        ROW_NUMBER() OVER (PARTITION BY pe.personID ORDER BY pe.startDate DESC, pe.eligibility) AS rowNumber -- assumption: POSEligibility.startDate
    FROM POSEligibility AS pe
    INNER JOIN currentYear AS cy ON cy.endYear = pe.endYear -- assumption: POSEligibility.endYear
    WHERE pe.startDate <= CAST(GETDATE() AS date)
        AND (pe.endDate IS NULL OR pe.endDate >= CAST(GETDATE() AS date)) -- assumption: POSEligibility.endDate
)
SELECT
    CAST(p.personID AS varchar(40)) AS personSourcedId, -- assumption: Person.personID
    CAST(p.studentNumber AS varchar(50)) AS studentNumber, -- assumption: Person.studentNumber
    CAST(p.stateID AS varchar(50)) AS stateId, -- assumption: Person.stateID
    CAST(le.schoolNumber AS varchar(20)) AS schoolNumber,
    CAST(le.grade AS varchar(10)) AS gradeLevel,
    CAST(i.lastName AS varchar(100)) AS lastName, -- assumption: Identity.lastName
    CAST(i.firstName AS varchar(100)) AS firstName, -- assumption: Identity.firstName
    CONVERT(varchar(10), i.birthdate, 23) AS birthDate, -- assumption: Identity.birthdate
    CAST(i.gender AS varchar(10)) AS gender, -- assumption: Identity.gender
    CAST(i.hispanicEthnicity AS varchar(10)) AS hispanicEthnicity, -- assumption: Identity.hispanicEthnicity (Y/N)
    CAST(i.raceEthnicityFed AS varchar(10)) AS raceEthnicityFederal, -- assumption: Identity.raceEthnicityFed (federal race/ethnicity code)
    CAST(i.homePrimaryLanguage AS varchar(50)) AS homeLanguage, -- assumption: Identity.homePrimaryLanguage
    CAST(sped.status AS varchar(50)) AS specialEdStatus,
    CAST(lep.programStatus AS varchar(50)) AS englishLearnerStatus,
    CONVERT(varchar(10), lep.identifiedDate, 23) AS englishLearnerIdentifiedDate,
    CONVERT(varchar(10), lep.exitDate, 23) AS englishLearnerExitDate,
    CASE WHEN EXISTS (
        SELECT 1
        FROM gifted AS g
        WHERE g.personID = p.personID -- assumption: gifted.personID
            AND (g.startDate IS NULL OR g.startDate <= CAST(GETDATE() AS date)) -- assumption: gifted.startDate
            AND (g.endDate IS NULL OR g.endDate >= CAST(GETDATE() AS date)) -- assumption: gifted.endDate
    ) THEN 'Y' ELSE 'N' END AS gifted,
    CAST(meals.eligibility AS varchar(10)) AS mealEligibility
FROM latestEnrollment AS le
INNER JOIN Person AS p ON p.personID = le.personID
INNER JOIN [Identity] AS i ON i.identityID = p.currentIdentityID -- assumption: Identity.identityID
LEFT JOIN currentSpecialEd AS sped ON sped.personID = p.personID AND sped.rowNumber = 1
LEFT JOIN currentLep AS lep ON lep.personID = p.personID AND lep.rowNumber = 1
LEFT JOIN currentMeals AS meals ON meals.personID = p.personID AND meals.rowNumber = 1
WHERE le.rowNumber = 1

ORDER BY schoolNumber, personSourcedId;
