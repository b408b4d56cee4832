//! The catalog of data sets a district can share through the Data Extract Utility.

/// A text in each language the wizard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Localized {
    /// English.
    pub en: &'static str,
    /// Spanish.
    pub es: &'static str,
    /// French (written for Quebec).
    pub fr: &'static str,
}

impl Localized {
    /// The text for `lang` (a BCP 47 tag such as `"es-MX"` or `"fr-CA"`): Spanish for
    /// Spanish, French for French, else English.
    #[must_use]
    pub fn get(&self, lang: &str) -> &'static str {
        let primary = lang.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("es") {
            self.es
        } else if primary.eq_ignore_ascii_case("fr") {
            self.fr
        } else {
            self.en
        }
    }
}

/// One data set of the catalog.
#[derive(Debug)]
pub struct DataSet {
    /// The snake_case id used on the wire, e.g. `"extended_rostering"`.
    pub id: &'static str,
    /// The CamelCase ASCII suffix of the extract name, e.g. `"ExtendedRostering"`.
    pub suffix: &'static str,
    /// The name shown to the district administrator.
    pub name: Localized,
    /// What the data set is for, in plain language, in one or two sentences.
    pub description: Localized,
    /// What the extracted file contains.
    pub yields: Localized,
    /// Whether the wizard offers the data set checked; true only for extended rostering.
    pub default: bool,
    /// The T-SQL to paste into the extract (from `extracts/sql/<id>.sql`).
    pub query: &'static str,
}

/// Every data set, in display order, extended rostering first.
pub static CATALOG: &[DataSet] = &[
    DataSet {
        id: "extended_rostering",
        suffix: "ExtendedRostering",
        name: Localized {
            en: "Extended Rostering",
            es: "Listas ampliadas",
            fr: "Listes étendues",
        },
        description: Localized {
            en: "Everything the app needs to set up classes: schools, terms, courses, sections, who teaches and who attends them, and students' guardians. It covers the current school year and only students' primary enrollments.",
            es: "Todo lo que la aplicación necesita para crear las clases: escuelas, periodos, cursos, secciones, quién las enseña y quién asiste, y los tutores de los estudiantes. Abarca el año escolar actual y solo la matrícula principal de cada estudiante.",
            fr: "Tout ce dont l'application a besoin pour créer les classes\u{a0}: écoles, étapes, cours, groupes, qui y enseigne et qui y est inscrit, ainsi que les parents ou tuteurs des élèves. Couvre l'année scolaire en cours et seulement l'inscription principale de chaque élève.",
        },
        yields: Localized {
            en: "One row per school, calendar, term, course, section, class placement, class member, student, staff member, guardian and enrollment, each marked with its record type.",
            es: "Una fila por escuela, calendario, periodo, curso, sección, ubicación de clase, miembro de clase, estudiante, miembro del personal, tutor y matrícula, cada una marcada con su tipo de registro.",
            fr: "Une ligne par école, calendrier, étape, cours, groupe, affectation à une classe, membre d'une classe, élève, membre du personnel, parent ou tuteur et inscription, chacune marquée de son type d'enregistrement.",
        },
        default: true,
        query: include_str!("../sql/extended_rostering.sql"),
    },
    DataSet {
        id: "attendance",
        suffix: "Attendance",
        name: Localized {
            en: "Attendance",
            es: "Asistencia",
            fr: "Présences",
        },
        description: Localized {
            en: "Daily and class-period attendance for the current school year, so the app can show who was absent or late. Attendance comments are not included.",
            es: "Asistencia diaria y por periodo de clase del año escolar actual, para que la aplicación muestre quién faltó o llegó tarde. No incluye los comentarios de asistencia.",
            fr: "Les présences quotidiennes et par période de l'année scolaire en cours, pour que l'application puisse indiquer qui était absent ou en retard. Les commentaires sur les présences ne sont pas inclus.",
        },
        yields: Localized {
            en: "One row per student and school day (daily) and one row per recorded absence, tardy or early release in a class period (period).",
            es: "Una fila por estudiante y día escolar (diaria) y una fila por cada ausencia, retraso o salida anticipada registrada en un periodo de clase (por periodo).",
            fr: "Une ligne par élève et par jour de classe (quotidienne) et une ligne par absence, retard ou départ hâtif consigné pendant une période (par période).",
        },
        default: false,
        query: include_str!("../sql/attendance.sql"),
    },
    DataSet {
        id: "historical",
        suffix: "Historical",
        name: Localized {
            en: "Enrollment and Grade History",
            es: "Historial de matrícula y calificaciones",
            fr: "Historique des inscriptions et des résultats",
        },
        description: Localized {
            en: "Past school years for this year's students: where they were enrolled and the final grades on their transcripts. Useful for apps that track progress over time.",
            es: "Los años escolares anteriores de los estudiantes de este año: dónde estuvieron matriculados y las calificaciones finales de su expediente académico. Útil para aplicaciones que siguen el progreso a lo largo del tiempo.",
            fr: "Les années scolaires antérieures des élèves de cette année\u{a0}: où ils étaient inscrits et les résultats finaux de leur relevé de notes. Utile aux applications qui suivent les progrès dans le temps.",
        },
        yields: Localized {
            en: "One row per primary enrollment in any year up to the current one, and one row per transcript grade, for each student enrolled this year.",
            es: "Una fila por matrícula principal de cualquier año hasta el actual y una fila por calificación del expediente, para cada estudiante matriculado este año.",
            fr: "Une ligne par inscription principale de toute année jusqu'à l'année en cours, et une ligne par résultat du relevé de notes, pour chaque élève inscrit cette année.",
        },
        default: false,
        query: include_str!("../sql/historical.sql"),
    },
    DataSet {
        id: "demographics_programs",
        suffix: "DemographicsPrograms",
        name: Localized {
            en: "Demographics and Programs",
            es: "Datos demográficos y programas",
            fr: "Données démographiques et programmes",
        },
        description: Localized {
            en: "Birth date, gender, race and ethnicity, home language, and participation in special education, English learner, gifted and school meal programs. Share meal eligibility only if federal rules allow it for this app's purpose.",
            es: "Fecha de nacimiento, género, raza y etnia, idioma del hogar y participación en educación especial, aprendices de inglés, programas para estudiantes dotados y comidas escolares. Comparta la elegibilidad para comidas solo si las normas federales lo permiten para el uso de esta aplicación.",
            fr: "Date de naissance, genre, race et origine ethnique, langue parlée à la maison et participation aux programmes d'adaptation scolaire, d'apprentissage de l'anglais, pour élèves doués et de repas scolaires. Ne partagez l'admissibilité aux repas que si les règles fédérales le permettent pour l'usage qu'en fait cette application.",
        },
        yields: Localized {
            en: "One row per student enrolled this school year.",
            es: "Una fila por estudiante matriculado en el año escolar actual.",
            fr: "Une ligne par élève inscrit à l'année scolaire en cours.",
        },
        default: false,
        query: include_str!("../sql/demographics_programs.sql"),
    },
    DataSet {
        id: "schedules_calendars",
        suffix: "SchedulesCalendars",
        name: Localized {
            en: "Schedules and Calendars",
            es: "Horarios y calendarios",
            fr: "Horaires et calendriers",
        },
        description: Localized {
            en: "The current school year's calendars, instructional days, terms and bell schedules, so the app knows when school is in session and when each period starts and ends.",
            es: "Los calendarios, días lectivos, periodos y horarios de timbre del año escolar actual, para que la aplicación sepa cuándo hay clases y cuándo empieza y termina cada periodo.",
            fr: "Les calendriers, jours de classe, étapes et horaires de cloche de l'année scolaire en cours, pour que l'application sache quand il y a de l'école et quand chaque période commence et se termine.",
        },
        yields: Localized {
            en: "One row per calendar, instructional day, term, bell schedule and period, each marked with its record type.",
            es: "Una fila por calendario, día lectivo, periodo, horario de timbre y hora de clase, cada una marcada con su tipo de registro.",
            fr: "Une ligne par calendrier, jour de classe, étape, horaire de cloche et période, chacune marquée de son type d'enregistrement.",
        },
        default: false,
        query: include_str!("../sql/schedules_calendars.sql"),
    },
];

/// The data set with this id, if the catalog has one.
#[must_use]
pub fn data_set(id: &str) -> Option<&'static DataSet> {
    CATALOG.iter().find(|set| set.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: Localized = Localized {
        en: "Attendance",
        es: "Asistencia",
        fr: "Présences",
    };

    #[test]
    fn spanish_tags_choose_spanish() {
        for lang in ["es", "ES", "es-MX", "es-419", "es_US"] {
            assert_eq!(TEXT.get(lang), "Asistencia", "{lang}");
        }
    }

    #[test]
    fn french_tags_choose_french() {
        for lang in ["fr", "FR", "fr-CA", "fr-FR", "fr_CA", "fr-ca"] {
            assert_eq!(TEXT.get(lang), "Présences", "{lang}");
        }
    }

    #[test]
    fn other_tags_choose_english() {
        for lang in [
            "en", "en-US", "", "e", "f", "est", "fra", "fro", "pt-BR", "de-CH",
        ] {
            assert_eq!(TEXT.get(lang), "Attendance", "{lang}");
        }
    }
}
