/** Unix-socket transport: the `aivaultd` server and its client. Transport authors import only from the core barrel. */
export {};
