//! Spanish.

use super::{COUNT, Key::*};

/// Every string, in key order.
pub const TABLE: [(super::Key, &str); COUNT] = [
    (
        OptMissingSession,
        "Esta página no inició una sesión de incorporación. Pida a la aplicación un nuevo enlace de incorporación. (Desarrolladores: ponga en el atributo `session` un token de sesión de POST /v1/sessions.)",
    ),
    (
        OptBadApi,
        "Esta página de incorporación está mal configurada. (Desarrolladores: el atributo `api` debe ser la URL del proxy, como https://onboarding.example.com o /.)",
    ),
    (Loading, "Cargando…"),
    (Back, "Atrás"),
    (Continue, "Continuar"),
    (Exit, "Salir"),
    (Progress, "Progreso"),
    (StepOf, "Paso {n} de {total}"),
    (StepStart, "Inicio"),
    (StepSource, "Fuente de datos"),
    (StepRegion, "Región"),
    (StepStrategy, "Estrategia"),
    (StepDataExtract, "Extracción de datos"),
    (StepGenerate, "Generar conexión"),
    (StepCredentials, "Credenciales"),
    (StepDone, "Listo"),
    (
        StartTitle,
        "Conecte su sistema de información estudiantil con {vendor}",
    ),
    (
        StartIntro,
        "{vendor} necesita los listados de su distrito: escuelas, clases, docentes y estudiantes. Tarda unos diez minutos y puede volver atrás en cualquier momento sin perder lo que escribió.",
    ),
    (
        StartConfirm,
        "Soy administrador de Infinite Campus de mi distrito.",
    ),
    (
        StartHint,
        "Solo un administrador puede generar la conexión en Infinite Campus. Si no es usted, reenvíe esta página al administrador de su distrito.",
    ),
    (StartButton, "Comenzar"),
    (
        SourceTitle,
        "¿Dónde guarda su distrito los datos de los estudiantes?",
    ),
    (SourceIntro, "Elija su sistema de información estudiantil."),
    (SourceSearch, "Buscar fuentes de datos"),
    (SourceUnavailable, "Aún no disponible"),
    (
        SourceNoMatch,
        "Ninguna fuente de datos coincide con «{query}».",
    ),
    (RegionTitle, "¿Dónde se debe guardar su conexión?"),
    (
        RegionIntro,
        "{vendor} guarda su conexión en la región que elija. Elija la que exija la política de datos de su distrito.",
    ),
    (StrategyTitle, "¿Cómo se deben compartir sus datos?"),
    (
        StrategyIntro,
        "Si no está seguro, elija la API OneRoster 1.2.",
    ),
    (StrategyApi, "API OneRoster 1.2"),
    (
        StrategyApiHelp,
        "Comparte los datos básicos de listados: escuelas, clases, docentes, estudiantes e inscripciones.",
    ),
    (StrategyExtract, "Extracción de datos personalizada"),
    (
        StrategyExtractHelp,
        "También comparte datos que OneRoster no incluye, como asistencia o historial, con la utilidad Data Extract Utility de Infinite Campus.",
    ),
    (
        ExtractTitle,
        "Configure las extracciones de datos en Infinite Campus",
    ),
    (
        ExtractIntro,
        "Cada conjunto de datos que elija será una extracción programada en la utilidad Data Extract Utility de Infinite Campus. Marque cada paso al terminarlo.",
    ),
    (ExtractDataSets, "Conjuntos de datos que compartir"),
    (ExtractYields, "Contiene: {yields}"),
    (ExtractNoneChosen, "Elija al menos un conjunto de datos."),
    (ExtractChecklist, "Pasos en Infinite Campus"),
    (
        ExtractOpen,
        "En Infinite Campus, despliegue System Administration en la barra lateral y, en Data Utilities, seleccione Data Extract Utility.",
    ),
    (
        ExtractNew,
        "Haga clic en New y elija el tipo de extracción SQL.",
    ),
    (
        ExtractRequired,
        "Rellene cada campo marcado con un asterisco (*) con:",
    ),
    (ExtractName, "Nombre de la extracción:"),
    (ExtractPaste, "Pegue esta consulta en el campo SQL:"),
    (
        ExtractTest,
        "Haga clic en Test Extract. Una ventana dice que no se devolvieron datos: es lo esperado, ciérrela. Después haga clic en Save.",
    ),
    (ExtractCreated, "Creé y probé {name}"),
    (
        ExtractSchedule,
        "Para cada extracción nueva (sus nombres empiezan por {prefix}), selecciónela, fije una hora futura y haga clic en Save.",
    ),
    (Copy, "Copiar"),
    (CopyQuery, "Copiar consulta"),
    (Copied, "Copiado"),
    (
        CopyFallback,
        "Su navegador no permitió copiar. El texto está seleccionado: pulse Ctrl+C (⌘C en un Mac).",
    ),
    (
        ExtractFailed,
        "No se pudieron cargar los pasos de la extracción de datos. Puede que {vendor} no ofrezca la extracción de datos personalizada en esta sesión: vuelva atrás y elija la API OneRoster 1.2, o inténtelo más tarde.",
    ),
    (
        GenerateTitle,
        "Genere una conexión OneRoster 1.2 en Infinite Campus",
    ),
    (
        GenerateIntro,
        "Inicie sesión en Infinite Campus en otra pestaña y luego:",
    ),
    (Generate1, "En la barra lateral, haga clic en Instruction."),
    (
        Generate2,
        "En Settings, seleccione Digital Learning Application Configuration.",
    ),
    (
        Generate3,
        "Seleccione Other OneRoster Provisioning Credentials.",
    ),
    (
        Generate4,
        "Haga clic en Generate New OneRoster Connection y seleccione OneRoster 1.2 (no 1.1).",
    ),
    (
        Generate5,
        "Haga clic en Generate. Deje esa pantalla abierta: muestra el Client ID, el Secret, la Token URL y la Base URL que necesitará a continuación.",
    ),
    (
        GenerateOlder,
        "En versiones anteriores de Infinite Campus está en System Administration › Learning Interoperability.",
    ),
    (CredentialsTitle, "Introduzca los datos de su conexión"),
    (
        CredentialsIntro,
        "Copie cada valor de la pantalla de la conexión en Infinite Campus.",
    ),
    (BaseUrlLabel, "URL de la API OneRoster"),
    (
        BaseUrlHelp,
        "La Base URL de la pantalla de la conexión. Termina en /ims/oneroster/rostering/v1p2.",
    ),
    (TokenUrlLabel, "Punto de conexión del token"),
    (
        TokenUrlHelp,
        "La Token URL de la pantalla de la conexión. Termina en /oauth2/token?appName=…",
    ),
    (ClientIdLabel, "ID de cliente"),
    (ClientIdHelp, "El Client ID de la pantalla de la conexión."),
    (SecretLabel, "Secreto de cliente"),
    (
        SecretHelp,
        "El Secret de la pantalla de la conexión. Se envía una sola vez a {vendor} y nunca se guarda en este navegador.",
    ),
    (ShowSecret, "Mostrar"),
    (HideSecret, "Ocultar"),
    (Validate, "Validar configuración"),
    (ContinueSetup, "Continuar configuración"),
    (Validating, "Comprobando su conexión…"),
    (
        ValidateAgain,
        "Cambió un valor. Vuelva a validar la configuración antes de continuar.",
    ),
    (
        TokenOffer,
        "El punto de conexión del token para esta URL probablemente es {url}",
    ),
    (UseThis, "Usarlo"),
    (FieldRequired, "Introduzca este valor."),
    (RepairTrimmed, "Quitamos los espacios alrededor del valor."),
    (RepairSlash, "Quitamos una barra final."),
    (
        RepairCut,
        "Conservamos la dirección hasta …/rostering/v1p2.",
    ),
    (ProblemEmpty, "Introduzca este valor."),
    (
        ProblemNotUrl,
        "Esto no es una dirección web. Cópiela de nuevo desde Infinite Campus.",
    ),
    (ProblemNotHttps, "La dirección debe empezar por https://."),
    (
        ProblemOneRoster11,
        "Esta es una dirección de OneRoster 1.1. Genere una conexión nueva y seleccione OneRoster 1.2.",
    ),
    (
        ProblemTokenInBase,
        "Esta es la Token URL. Péguela en el punto de conexión del token y la Base URL aquí.",
    ),
    (
        ProblemBaseInToken,
        "Esta es la Base URL. Péguela en la URL de la API OneRoster y la Token URL aquí.",
    ),
    (
        ProblemNotRoot,
        "La Base URL termina en /ims/oneroster/rostering/v1p2. Cópiela de nuevo desde Infinite Campus.",
    ),
    (
        ProblemNotToken,
        "La Token URL termina en /oauth2/token. Cópiela de nuevo desde Infinite Campus.",
    ),
    (
        ProblemNoApp,
        "La Token URL termina en ?appName= y el nombre de su aplicación. Cópiela completa desde Infinite Campus.",
    ),
    (ReportPassed, "Conectado a {district}"),
    (ReportFailed, "La configuración no se pudo validar."),
    (Schools, "Escuelas"),
    (Students, "Estudiantes"),
    (Teachers, "Docentes"),
    (Classes, "Clases"),
    (AtLeast, "al menos {n}"),
    (SchoolYear, "Año escolar"),
    (CheckToken, "Iniciar sesión con el Client ID y el Secret"),
    (CheckDistrict, "Encontrar el distrito"),
    (CheckSchools, "Contar escuelas"),
    (CheckStudents, "Contar estudiantes"),
    (CheckTeachers, "Contar docentes"),
    (CheckClasses, "Contar clases"),
    (CheckYear, "Encontrar el año escolar"),
    (CheckPassed, "correcto"),
    (CheckFailed, "con error"),
    (
        WarnNoDemographics,
        "No se comparten datos demográficos. Si {vendor} los necesita, añada el alcance de datos demográficos a la conexión en Infinite Campus.",
    ),
    (
        WarnOneSchool,
        "Solo se comparte una escuela. Si deben ser más, edite las escuelas de la conexión en Infinite Campus.",
    ),
    (
        WarnLowerBounds,
        "Su servidor no informa totales, así que las cifras son mínimos.",
    ),
    (
        ErrMalformedUrl,
        "Esta dirección no es válida. Cópiela de nuevo desde Infinite Campus.",
    ),
    (ErrNotHttps, "La dirección debe empezar por https://."),
    (
        ErrNotRoot,
        "Esta no es una Base URL de OneRoster 1.2. Copie la Base URL tal como la muestra Infinite Campus.",
    ),
    (
        ErrNotToken,
        "Esto no es un punto de conexión de token. Copie la Token URL tal como la muestra Infinite Campus.",
    ),
    (
        ErrOneRoster11,
        "Esta es una conexión OneRoster 1.1. En Infinite Campus, genere una conexión nueva y seleccione OneRoster 1.2.",
    ),
    (
        ErrUnknownHost,
        "Este nombre de servidor no existe. Revise la dirección por si tiene errores.",
    ),
    (
        ErrRefused,
        "El servidor rechazó la conexión. Revise la dirección o pregunte a su equipo de TI si Infinite Campus está accesible.",
    ),
    (
        ErrTls,
        "El certificado de seguridad del servidor no es de confianza. Revise la dirección; un servidor propio puede necesitar que {vendor} añada su certificado.",
    ),
    (
        ErrTimeout,
        "El servidor no respondió a tiempo. Inténtelo de nuevo en un minuto.",
    ),
    (
        ErrInvalidClient,
        "Infinite Campus no aceptó este Client ID y Secret. Cópielos de nuevo; si siguen fallando, genere una conexión nueva.",
    ),
    (
        ErrScope,
        "Esta conexión no comparte datos de listados. En Infinite Campus, active la sincronización de listados de la conexión.",
    ),
    (
        ErrInactive,
        "Esta conexión no está activa. En Infinite Campus, asegúrese de que la conexión esté activada y vuelva a validar.",
    ),
    (
        ErrNoData,
        "Esta conexión no comparte ninguna escuela. En Infinite Campus, elija las escuelas cuyos datos compartir y vuelva a validar.",
    ),
    (
        ErrUpstreamRateLimited,
        "Infinite Campus está recibiendo demasiadas solicitudes. Espere un minuto y vuelva a validar.",
    ),
    (
        ErrUpstream,
        "Infinite Campus tuvo un problema al responder. Inténtelo de nuevo en unos minutos.",
    ),
    (
        ErrMalformedResponse,
        "La respuesta del servidor no son datos OneRoster. Compruebe que es la Base URL de una conexión OneRoster 1.2.",
    ),
    (
        ErrTooLarge,
        "La respuesta del servidor fue mucho mayor de lo esperado. Revise la dirección.",
    ),
    (
        ErrForbidden,
        "Esta dirección no se puede usar. Introduzca la dirección de Infinite Campus de su distrito.",
    ),
    (
        NetOffline,
        "No tiene conexión a internet. Compruébela; no se ha perdido nada de lo que escribió.",
    ),
    (
        NetUnreachable,
        "No pudimos comunicarnos con el servicio de incorporación. Inténtelo de nuevo en un minuto; no se ha perdido nada de lo que escribió.",
    ),
    (
        NetExpired,
        "Esta sesión de incorporación ha caducado. Vuelva a {vendor} y abra de nuevo el enlace de integración.",
    ),
    (
        NetInvalidSession,
        "Este enlace de incorporación no es válido. Vuelva a {vendor} y abra de nuevo el enlace de integración.",
    ),
    (
        NetRateLimited,
        "Demasiados intentos. Espere un minuto y vuelva a intentarlo.",
    ),
    (
        NetOther,
        "Algo falló por nuestra parte. Inténtelo de nuevo.",
    ),
    (DoneTitle, "¡Bien hecho!"),
    (DoneSummary, "{district} ya está conectado con {vendor}."),
    (DoneRegion, "Guardado en: {region}"),
    (
        DoneSync,
        "Sus datos se sincronizarán en un plazo de 24 horas.",
    ),
    (DoneSupport, "¿Preguntas? Contacte con {support}."),
    (
        DoneSupportNone,
        "¿Preguntas? Contacte con el equipo de soporte de {vendor}.",
    ),
    (ExitedTitle, "Salió de la configuración"),
    (
        ExitedBody,
        "No se conectó nada. Abra de nuevo el enlace de integración para continuar donde lo dejó.",
    ),
];
