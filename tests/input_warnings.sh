finish
