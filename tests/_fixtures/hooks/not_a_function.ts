/** A hook module whose default export is not a function. */
export default "not a hook";
