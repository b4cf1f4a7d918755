// Registers every kind Weft knows (DESIGN.md §2.1). Each group's index registers its kinds.
import './networking/index.js';
import './security/index.js';
import './telemetry/index.js';
import './extensions/index.js';
import './mixer/index.js';
import './kube/index.js';
