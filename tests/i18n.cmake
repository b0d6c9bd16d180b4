# Issue 10's languages: the theme's strings from i18n/<lang>.lua (and the site's overrides),
# dates per language, right-to-left sites, multilingual sites, theme inheritance.
folio_shell_test(i18n_strings i18n_strings.sh)
folio_shell_test(i18n_multilingual i18n_multilingual.sh)
folio_shell_test(theme_extends theme_extends.sh)
