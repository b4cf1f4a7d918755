// Kinds of this API group register themselves here (see ../registry.ts).
export {};
