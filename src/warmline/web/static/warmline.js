// Warmline's small client script (written for this project; no framework, no build step).
"use strict";
