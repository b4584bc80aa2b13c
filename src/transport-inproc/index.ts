/** In-process transport. Transport authors import only from the core barrel. */
export {};
