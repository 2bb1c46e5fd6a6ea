/** The placement rules, one small class each; every one can say why it rejected nodes. */
package io.shoal.scheduler.filter;
