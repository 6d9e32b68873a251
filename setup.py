"Installs xai_study from settings.ini (nbdev 2 layout); no pkg_resources, so it works with any setuptools."
from configparser import ConfigParser
from setuptools import find_packages, setup

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']
licenses = dict(apache2=('Apache Software License 2.0', 'OSI Approved :: Apache Software License'))
statuses = ['Planning', 'Pre-Alpha', 'Alpha', 'Beta', 'Production/Stable', 'Mature', 'Inactive']
lic = licenses[cfg['license']]

setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    author=cfg['author'], author_email=cfg['author_email'], license=lic[0],
    url=cfg['git_url'], keywords=cfg['keywords'].split(),
    packages=find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    include_package_data=True, python_requires='>=' + cfg['min_python'],
    install_requires=cfg['requirements'].split(),
    extras_require={'dev': cfg['dev_requirements'].split(),  # the tests: pytest, and pytorch-grad-cam as the reference GradCAM
                    'generative': cfg['generative_requirements'].split()},  # the local language model and text-to-image generator of `comparison.generative`
    long_description=open('README.md', encoding='utf-8').read(), long_description_content_type='text/markdown',
    entry_points={'console_scripts': cfg['console_scripts'].split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    classifiers=['Development Status :: ' + str(int(cfg['status']) + 1) + ' - ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'], 'License :: ' + lic[1],
                 'Natural Language :: ' + cfg['language'], 'Programming Language :: Python :: 3.11'],
    zip_safe=False)
