// Kubernetes kinds for workloads (DESIGN.md §2.1): core/v1 and apps/v1.
import './core.js';
import './apps.js';
